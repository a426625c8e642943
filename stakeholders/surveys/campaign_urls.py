"""The internal campaign pages, under /stakeholders/ in the ``stakeholders`` namespace: kam/urls.py
joins them to ``stakeholders.urls``, which sits a floor below and cannot import them."""

from django.urls import path

from stakeholders.surveys import campaign_export_views, campaign_views

urlpatterns = [
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/export/<str:fmt>/", campaign_export_views.campaign_export, name="campaign-export"),
    path("campaigns/<int:pk>/preview/", campaign_views.campaign_preview, name="campaign-preview"),
    path("campaigns/<int:pk>/dispatch/", campaign_views.campaign_dispatch, name="campaign-dispatch"),
    path("campaigns/<int:pk>/progress/", campaign_views.campaign_progress, name="campaign-progress"),
    path("follow-ups/<int:pk>/close/", campaign_views.follow_up_close, name="follow-up-close"),
]
