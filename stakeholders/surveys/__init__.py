"""CSAT surveys, the floor above the rest of stakeholders: one module per concern.

- ``tokens``: the link in an invitation (an HMAC of the server secret, never stored).
- ``page``: the survey pages' read of an invitation and what they keep in the cache (forgotten on
  every change, ``apps``: this room is an app of its own to listen for them); ``views``, ``urls``,
  ``ratelimit``: the public pages under /s/.
- ``audience``: who a campaign reaches and who is left out, and why.
- ``dispatch``: invitation rows as an outbox, enqueued after commit; scheduled and recurring campaigns.
- ``mail``, ``delivery``: the e-mails, and their delivery with a lease, the sweeper and reminders.
- ``responses``: answers, the low-score alert, opting out.
- ``results``: CSAT figures, stored quarterly summaries, anonymity.
- ``campaign_views``, ``campaign_forms``, ``campaign_urls``, ``campaign_exports``,
  ``campaign_export_views``, ``written_answers``, ``api``: the internal campaign pages, exports and API.
- ``tasks``: the Celery tasks (names kept as ``stakeholders.*``; kam/celery.py autodiscovers them).

The survey models stay in ``stakeholders.models``, and the comment's label in
``stakeholders.survey_texts``, since ``SurveyResponse.written_answers`` reads it: nothing below this
floor imports it (tests/surveys/test_floors.py).
"""
