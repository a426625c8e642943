"""Review meeting pages: start one, step through the team's key accounts recording decisions,
close it (the minutes go out), read the minutes. The rules are in ``kam.portfolio.meetings``;
a meeting someone may not open is a 404, a step they may not take a 403 with the reason."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Account
from accounts.selectors import accounts_visible_to
from kam.portfolio import meetings
from kam.portfolio.meeting_forms import DecisionForm, MeetingStartForm
from kam.portfolio.meeting_panel import account_panel, meeting_account
from kam.portfolio.minutes import minutes_for, participants_of
from kam.portfolio.models import ReviewDecision, ReviewMeeting, ReviewMeetingAccount


def _require_manager(request: HttpRequest) -> None:
    if not request.user.is_manager:
        raise PermissionDenied(_("Review meetings are started by a manager with their team."))


@login_required
def meeting_start(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    posted = request.method == "POST"
    form = MeetingStartForm(request.POST if posted else None, manager=request.user)
    accounts = list(meetings.team_key_accounts(request.user).select_related("owner", "health")[:500])
    if posted and form.is_valid():
        try:
            meeting = meetings.meeting_start(manager=request.user, participants=list(form.cleaned_data["participants"]))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            first = meetings.agenda_for(request.user, meeting)[0]
            return HttpResponseRedirect(reverse("meeting-account", args=[meeting.pk, first.position]))
    recent = ReviewMeeting.objects.visible_to(request.user).select_related("manager")[:10]
    return render(
        request,
        "kam/meeting_start.html",
        {"form": form, "accounts": accounts, "recent": recent},
        status=400 if posted else 200,
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.meeting_or_404(request.user, pk)
    agenda = meetings.agenda_for(request.user, meeting)
    counts = Counter(ReviewDecision.objects.filter(meeting=meeting).values_list("account_id", flat=True))
    return render(
        request,
        "kam/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": [(item, counts.get(item.account_id, 0)) for item in agenda],
            "participants": participants_of(meeting),
            "can_run": meetings.can_run(request.user, meeting),
        },
    )


@login_required
def meeting_account_page(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """One account of the meeting, with the decision form for the manager running it."""
    meeting = meetings.meeting_or_404(request.user, pk)
    agenda = meetings.agenda_for(request.user, meeting)
    index = next((n for n, item in enumerate(agenda) if item.position == position), None)
    if index is None:
        raise Http404
    try:
        account = meeting_account(request.user, agenda[index].account_id)
    except Account.DoesNotExist:
        raise Http404 from None
    can_run = meetings.can_run(request.user, meeting)
    posted = request.method == "POST"
    if posted and not can_run:
        raise PermissionDenied(
            _("This meeting is closed.")
            if not meeting.is_open
            else _("Only the manager who started this meeting runs it.")
        )
    today = timezone.localdate()
    panel = account_panel(request.user, meeting, account, today=today)
    form = None
    if can_run:
        plan = panel.get("action_plan")
        latest = plan.period.end if plan is not None else None
        form = DecisionForm(request.POST if posted else None, account=account, today=today, latest_due=latest)
    if posted and form.is_valid():
        try:
            decision = meetings.decision_record(meeting=meeting, account=account, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if decision.action_id:
                messages.success(request, _("Decision recorded and added to the plan as an action."))
            else:
                messages.warning(
                    request,
                    _(
                        "Decision recorded in this meeting and its minutes. No plan of this account can take "
                        "actions now, so it is not on a plan yet."
                    ),
                )
            return HttpResponseRedirect(reverse("meeting-account", args=[meeting.pk, position]) + "#decisions")
    return render(
        request,
        "kam/meeting_account.html",
        {
            "meeting": meeting,
            "item": agenda[index],
            "number": index + 1,
            "total": len(agenda),
            "previous": agenda[index - 1] if index > 0 else None,
            "next": agenda[index + 1] if index + 1 < len(agenda) else None,
            "can_run": can_run,
            "form": form,
            **panel,
        },
        status=400 if posted else 200,
    )


@login_required
@require_POST
def decision_to_plan(request: HttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    """Put a decision kept on the meeting on the account's plan, now that one can take it."""
    meeting = meetings.meeting_or_404(request.user, pk)
    visible = accounts_visible_to(request.user).values("pk")
    decision = get_object_or_404(
        ReviewDecision.objects.select_related("meeting"), pk=decision_pk, meeting=meeting, account__in=visible
    )
    position = get_object_or_404(ReviewMeetingAccount, meeting=meeting, account_id=decision.account_id).position
    try:
        meetings.decision_to_plan(decision=decision, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Decision added to the plan as an action."))
    return HttpResponseRedirect(reverse("meeting-account", args=[meeting.pk, position]) + "#decisions")


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.meeting_or_404(request.user, pk)
    if request.user.pk != meeting.manager_id:
        raise PermissionDenied(_("Only the manager who started this meeting runs it."))
    if meetings.meeting_close(meeting=meeting, by=request.user):
        messages.success(request, _("Meeting closed. The minutes are being sent to the participants."))
    else:
        messages.info(request, _("This meeting was closed already; its minutes went out once."))
    return HttpResponseRedirect(reverse("meeting-minutes", args=[meeting.pk]))


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.meeting_or_404(request.user, pk)
    return render(
        request,
        "kam/meeting_minutes.html",
        {**minutes_for(request.user, meeting), "can_run": meetings.can_run(request.user, meeting)},
    )
