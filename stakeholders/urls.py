from django.urls import path

from stakeholders import (
    consent_views,
    list_export_views,
    person_views,
    privacy_urls,
    touchpoint_views,
    views,
    xray_views,
)
from stakeholders.imports import urls as import_urls

app_name = "stakeholders"

urlpatterns = [
    path("accounts/<int:pk>/", views.account_dmu, name="dmu"),
    path("accounts/<int:pk>/export/<str:fmt>/", list_export_views.dmu_export, name="dmu-export"),
    path(
        "accounts/<int:pk>/touchpoints/export/<str:fmt>/",
        list_export_views.account_touchpoints_export,
        name="touchpoints-export",
    ),
    path("accounts/<int:pk>/xray/", xray_views.account_xray, name="xray"),
    path("accounts/<int:pk>/add/", views.stakeholder_add, name="add"),
    path("accounts/<int:pk>/touchpoints/new/", touchpoint_views.touchpoint_add, name="touchpoint-add"),
    path("accounts/<int:pk>/support/new/", views.support_request_add, name="support-add"),
    path("affiliations/<int:pk>/edit/", views.affiliation_edit, name="affiliation-edit"),
    path("affiliations/<int:pk>/end/", views.affiliation_end, name="affiliation-end"),
    path("affiliations/<int:pk>/coverage/", views.coverage_edit, name="coverage"),
    path("people/<int:pk>/", person_views.person_detail, name="person"),
    path(
        "people/<int:pk>/touchpoints/export/<str:fmt>/",
        list_export_views.person_touchpoints_export,
        name="person-touchpoints-export",
    ),
    path("people/<int:pk>/brief/", person_views.person_brief, name="brief"),
    path("people/<int:pk>/consent/", consent_views.consent_add, name="consent-add"),
    path("consents/<int:pk>/withdraw/", consent_views.consent_withdraw_view, name="consent-withdraw"),
    path("people/<int:pk>/kol/", person_views.kol_edit, name="kol"),
    path("touchpoints/<int:pk>/", touchpoint_views.touchpoint_detail, name="touchpoint"),
    path("support/<int:pk>/respond/", views.support_request_respond, name="support-respond"),
    *privacy_urls.urlpatterns,
    *import_urls.urlpatterns,
]
