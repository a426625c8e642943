"""The key-date calendar page and the per-user iCalendar feed (``kam.portfolio.calendar``)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kam.models import CalendarFeedToken, User
from kam.portfolio.calendar import (
    MAX_DAYS,
    SOURCES,
    Agenda,
    CalendarFilters,
    default_range,
    grouped,
    key_dates,
    sources_for,
)
from kam.portfolio.calendar_ics import FEED_LIMIT, feed_ics, feed_range
from kam.portfolio.dashboard import DashboardFilters
from kam.portfolio.views import DashboardFilterForm

GROUPS = {"week": gettext_lazy("Week"), "month": gettext_lazy("Month")}


class CalendarFilterForm(DashboardFilterForm):
    """The dashboard's filters (manager/team, KAM, country, region, type, tier; not the period), a
    range of days and the kinds of date. Carried in the URL like every list's filters."""

    start = forms.DateField(required=False, label=gettext_lazy("From"))
    end = forms.DateField(required=False, label=gettext_lazy("Until"))
    group = forms.ChoiceField(choices=list(GROUPS.items()), required=False, label=gettext_lazy("Grouped by"))
    kind = forms.MultipleChoiceField(
        choices=[(s.kind, s.label) for s in SOURCES],  # narrowed to the user's in __init__
        required=False,
        label=gettext_lazy("Dates"),
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["start", "end", "group", "kind"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["period"]
        # Only the kinds of date the user may see at all (no plan reviews for a medical colleague).
        self.fields["kind"].choices = [(s.kind, s.label) for s in sources_for(user)]
        for name in ("start", "end"):
            # The browser shows the day in its own locale; the value travels as ISO.
            self.fields[name].widget = forms.DateInput(
                attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
            )
        self.fields["kind"].widget.attrs = {"class": "form-check-input"}
        self.order_fields(self.field_order)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end is before the start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("At most %(days)d days at a time.") % {"days": MAX_DAYS})
        return data

    def calendar_filters(self, today: date) -> CalendarFilters:
        """The filters given (the form must be valid or unbound); a missing start is today, a
        missing end ``DEFAULT_DAYS`` after the start."""
        data = self.cleaned_data if self.is_bound else {}
        default_start, _default_end = default_range(today)
        start = data.get("start") or default_start
        end = data.get("end") or default_range(start)[1]
        return CalendarFilters(start=start, end=end, accounts=self.filters(today), kinds=tuple(data.get("kind") or ()))


@login_required
@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    """The key dates the user may see as an agenda by week or month. Filters that do not apply
    (an unknown KAM, a range backwards) are a 400 saying so, with nothing listed."""
    form = CalendarFilterForm(request.GET or None, user=request.user)
    valid = not form.is_bound or form.is_valid()
    filters = form.calendar_filters(timezone.localdate()) if valid else None
    by = (form.cleaned_data.get("group") if form.is_bound and valid else "") or "week"
    agenda = key_dates(request.user, filters) if filters else Agenda([], truncated=False)
    context = {
        "form": form,
        "filters": filters,
        "groups": grouped(agenda.entries, by=by),
        "by": by,
        "count": len(agenda.entries),
        "truncated": agenda.truncated,
        "has_feed": CalendarFeedToken.objects.filter(user=request.user).exists(),
    }
    return render(request, "kam/calendar.html", context, status=200 if valid else 400)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's key dates as iCalendar: the secret in the URL is the credential (a calendar
    client cannot sign in), so an unknown or revoked secret, or an inactive user's, is a 404.
    Everything is read as that user, through the same selectors and firewall as the page."""
    user = CalendarFeedToken.objects.user_for(token)
    if user is None:
        raise Http404(_("No such calendar."))
    today = timezone.localdate()
    start, end = feed_range(today)
    filters = CalendarFilters(start=start, end=end, accounts=DashboardFilters())
    # In the owner's language, whoever fetches it.
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = feed_ics(
            key_dates(user, filters, limit=FEED_LIMIT).entries, name=_("KAM Planner: %(name)s") % {"name": user}
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kam-planner.ics"'
    # Nothing kept by a proxy or shared cache: a revoked URL must stop answering at once.
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response
