"""The product's URLs plus the benchmark's baseline: a bare view that renders a small template.

The baseline costs what Django itself costs for a page (middleware, URL resolution, a template,
no queries), so each page's time can be read as a multiple of it.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from kam.urls import handler403, handler404, handler500  # noqa: F401
from kam.urls import urlpatterns as product_urlpatterns

BARE = engines["django"].from_string(
    '<!doctype html><html lang="en"><head><title>{{ title }}</title></head>'
    "<body><h1>{{ title }}</h1><p>{{ items|length }} items: {{ items|join:', ' }}</p></body></html>"
)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE.render({"title": "Baseline", "items": ["one", "two", "three"]}, request))


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *product_urlpatterns]
