"""The REST API under /api/v1/: every app's viewsets, the OpenAPI schema and its docs page."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import AccountViewSet
from kam.portfolio.api import DashboardView
from plans.api import ActionViewSet, ObjectiveViewSet, PlanViewSet
from stakeholders.api import AffiliationViewSet, PersonViewSet, TouchpointViewSet
from stakeholders.surveys.api import CampaignViewSet

app_name = "api"


class Router(DefaultRouter):
    include_root_view = False


router = Router()
router.register("accounts", AccountViewSet, basename="account")
router.register("people", PersonViewSet, basename="person")
router.register("affiliations", AffiliationViewSet, basename="affiliation")
router.register("touchpoints", TouchpointViewSet, basename="touchpoint")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("plans", PlanViewSet, basename="plan")
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("actions", ActionViewSet, basename="action")


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; its start-up script is served by this view
    (``?script=``) rather than inlined, so the page runs under the site's CSP (script-src 'self')
    unchanged, and the template links a style sheet instead of a <style> block."""

    template_name = "kam/api_docs.html"


urlpatterns = [
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
