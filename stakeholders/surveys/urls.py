"""The public survey pages under /s/: no login, the token in the path is the credential."""

from django.urls import path

from stakeholders.surveys import views

app_name = "survey"

urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/opt-out/", views.opt_out, name="opt-out"),
]
