from django.urls import path

from stakeholders import privacy_urls, views

app_name = "stakeholders"

urlpatterns = [
    path("accounts/<int:pk>/", views.account_dmu, name="dmu"),
    path("accounts/<int:pk>/xray/", views.account_xray, name="xray"),
    path("accounts/<int:pk>/add/", views.stakeholder_add, name="add"),
    path("accounts/<int:pk>/touchpoints/new/", views.touchpoint_add, name="touchpoint-add"),
    path("accounts/<int:pk>/support/new/", views.support_request_add, name="support-add"),
    path("affiliations/<int:pk>/edit/", views.affiliation_edit, name="affiliation-edit"),
    path("affiliations/<int:pk>/end/", views.affiliation_end, name="affiliation-end"),
    path("affiliations/<int:pk>/coverage/", views.coverage_edit, name="coverage"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/brief/", views.person_brief, name="brief"),
    path("people/<int:pk>/kol/", views.kol_edit, name="kol"),
    path("touchpoints/<int:pk>/", views.touchpoint_detail, name="touchpoint"),
    path("support/<int:pk>/respond/", views.support_request_respond, name="support-respond"),
    *privacy_urls.urlpatterns,
]
