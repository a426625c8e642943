"""Settings for bench_pages.py: the production settings, with the bench's URLs on top.

Only ROOT_URLCONF differs, so the bare baseline view exists in the benchmark and nowhere else.
Everything else (DEBUG, SECRET_KEY, the HTTPS redirect, rate limits) comes from the environment,
exactly as in production.
"""

from kam.settings import *  # noqa: F403

ROOT_URLCONF = "bench.pages_urls"
