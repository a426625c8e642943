"""The form renderer: Django's Jinja2 widget templates where Django ships them, its own templates
for the rest.

Django's Jinja2 copies of its widget templates draw the same markup as its template language about
twice as fast, which a plan step with thousands of options to choose from notices
(bench/bench_pages.py). The admin's widgets exist only as Django templates, so any template the
Jinja2 side lacks comes from Django's renderer.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(BaseRenderer):
    def __init__(self) -> None:
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
