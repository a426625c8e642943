"""The public survey pages under /s/: no login, the token in the path is the credential."""

from django.urls import path

from stakeholders import survey_views

app_name = "survey"

urlpatterns = [
    path("<str:token>/", survey_views.answer, name="answer"),
    path("<str:token>/thanks/", survey_views.thanks, name="thanks"),
    path("<str:token>/opt-out/", survey_views.opt_out, name="opt-out"),
]
