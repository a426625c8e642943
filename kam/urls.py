from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import people_views
from accounts import urls as account_urls
from kam import token_views, views
from kam.portfolio import account_page, calendar_views, meeting_views, tile_views, work_views
from kam.portfolio import views as portfolio_views
from plans import reminder_views
from stakeholders import urls as stakeholder_urls
from stakeholders.surveys import campaign_urls

urlpatterns = [
    # First: the public survey links are the most requested pages, and URLs are tried in order.
    path("s/", include("stakeholders.surveys.urls")),
    path("", portfolio_views.home, name="home"),
    path("dashboard/<slug:tile>/", tile_views.tile_list, name="dashboard-list"),
    path("work/", work_views.my_work, name="my-work"),
    path("work/summary/", work_views.my_work_summary, name="my-work-summary"),
    path("portfolio-review/", portfolio_views.portfolio_review, name="portfolio-review"),
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("meetings/start/", meeting_views.meeting_start, name="meeting-start"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/accounts/<int:position>/", meeting_views.meeting_account_page, name="meeting-account"),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/to-plan/",
        meeting_views.decision_to_plan,
        name="meeting-decision-to-plan",
    ),
    path("meetings/<int:pk>/close/", meeting_views.meeting_close, name="meeting-close"),
    path("meetings/<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting-minutes"),
    # The secret in the path is the credential: calendar clients cannot sign in.
    path("calendar/feed/<str:token>.ics", calendar_views.calendar_feed, name="calendar-feed"),
    path("calendar/feed/renew/", reminder_views.calendar_feed_renew, name="calendar-feed-renew"),
    path("calendar/feed/revoke/", reminder_views.calendar_feed_revoke, name="calendar-feed-revoke"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links. To the icon's unhashed name: a browser
    # keeps a permanent redirect, which must outlive the next deploy's hashed file names.
    path(
        "favicon.ico",
        RedirectView.as_view(url=f"{settings.STATIC_URL}kam/favicon.svg", permanent=True),
        name="favicon",
    ),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("people/", people_views.people_list, name="people-list"),
    path("people/<int:pk>/", people_views.people_detail, name="people-detail"),
    path("people/<int:pk>/handover/", people_views.people_handover, name="people-handover"),
    path("api-tokens/", token_views.api_tokens, name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", token_views.api_token_revoke_view, name="api-token-revoke"),
    path("api/v1/", include("kam.api_urls")),
    path(
        "accounts/",
        include(
            (
                [
                    path("<int:pk>/", account_page.account_detail, name="detail"),
                    path("<int:pk>/surveys/", account_page.account_surveys, name="surveys"),
                    *account_urls.urlpatterns,
                ],
                account_urls.app_name,
            )
        ),
    ),
    path(
        "stakeholders/",
        include(([*stakeholder_urls.urlpatterns, *campaign_urls.urlpatterns], stakeholder_urls.app_name)),
    ),
    path("plans/", include("plans.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "kam.views.error_403"
handler404 = "kam.views.error_404"
handler500 = "kam.views.error_500"
