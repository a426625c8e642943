"""Survey wording shared by the answer page and the internal results pages. Customers read it in
their language: ``makemessages_catalogs`` puts this module's strings into the survey catalogs."""

from django.utils.translation import gettext_lazy as _

# The survey's closing free-text field, stored as SurveyResponse.comment.
COMMENT_LABEL = _("Anything else you would like to tell us?")
