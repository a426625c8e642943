"""The demo organisations: the small one ``make run`` loads and the large one the benchmarks use.

Top floor beside kam.portfolio: it writes through every app's models and services.
"""
