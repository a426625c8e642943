"""Plan exports: the internal deck and PDF for our side, and the joint plan for the customer.

- ``data``: ``plan_export_data``, everything an export shows, read once and filtered for the variant
  (``sections`` lays out the steps or the joint parts, ``blocks`` holds the blocks and number formats).
- ``deck``: the house look for PowerPoint (``Deck``, colours, ``clean_text``), shared with the
  portfolio review; ``plan_deck`` draws a plan with it.
- ``pdf``: the same sections as a PDF through WeasyPrint.
- ``cache``: ``RENDERERS``, ``render_cached`` and the worker's ``prerender``.
"""
