"""Privacy URLs, included by ``stakeholders.urls`` under its ``app_name``."""

from django.urls import path

from stakeholders import privacy_views

urlpatterns = [
    path("people/<int:pk>/export/", privacy_views.person_export, name="person-export"),
    path("people/<int:pk>/erase/", privacy_views.person_erase, name="person-erase"),
    path("retention/", privacy_views.retention_list, name="retention"),
    path("transfers-of-value/export/", privacy_views.tov_export, name="tov-export"),
    path("transfers-of-value/export/<str:fmt>/", privacy_views.tov_export, name="tov-export-as"),
]
