from django.urls import path

from plans import (
    change_views,
    export_views,
    handover_views,
    joint_views,
    list_export_views,
    notification_views,
    read_views,
    reminder_views,
    views,
)

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("export/<str:fmt>/", list_export_views.plan_list_export, name="list-export"),
    path("new/<int:account_pk>/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/read/", read_views.plan_read, name="read"),
    path("<int:pk>/step/<int:number>/", views.plan_step, name="step"),
    path("<int:pk>/submit/", views.plan_submit, name="submit"),
    path("<int:pk>/review/", read_views.plan_review, name="review"),
    path("<int:pk>/revise/", views.plan_revise, name="revise"),
    path("<int:pk>/next/", views.plan_next_period, name="next"),
    path("<int:pk>/since-review/", change_views.plan_since_review, name="since-review"),
    path("<int:pk>/compare/", change_views.plan_compare, name="compare"),
    path("<int:pk>/export/<str:variant>/<str:fmt>/", export_views.plan_export, name="export"),
    path("<int:pk>/joint/", joint_views.plan_joint, name="joint"),
    path("handover/<int:pk>/pack.pdf", handover_views.handover_pack, name="handover-pack"),
    path("digest/settings/", reminder_views.digest_settings, name="digest-settings"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/badge/", notification_views.notification_badge, name="notifications-badge"),
]
