"""The top floor: what reads across accounts, people, surveys and plans at once.

Account health (computed from every floor below), the dashboard, the portfolio review deck and
the account page. Nothing below imports from here; a lower floor that changes what health reads
asks for a refresh by task name (``accounts.services.schedule_health_refresh``).
"""
