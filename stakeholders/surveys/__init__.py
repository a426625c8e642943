"""CSAT surveys, the floor above stakeholders: one module per concern.

- ``tokens``: the link in an invitation (an HMAC of the server secret, never stored).
- ``page``: the survey pages' read of an invitation; ``views``, ``urls``: the public pages under /s/.
- ``audience``: who a campaign reaches and who is left out, and why.
- ``dispatch``: invitation rows as an outbox, enqueued after commit; scheduled and recurring campaigns.
- ``mail``, ``delivery``: the e-mails, and their delivery with a lease, the sweeper and reminders.
- ``responses``: answers, the low-score alert, opting out.
- ``results``: CSAT figures, stored quarterly summaries, anonymity.
- ``campaign_*``, ``api``, ``written_answers``: the internal campaign pages, exports and API.
- ``tasks``: the Celery tasks (names kept as ``stakeholders.*``).

Survey models stay in ``stakeholders.models``. Nothing below this floor imports it.
"""
