"""The user's notifications about plans: the list, read by opening one or marking all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from plans.notifications import (
    LIST_LIMIT,
    event_text,
    mark_read,
    notification_url,
    notifications_for,
    unread_count,
)


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """GET lists them, the unread ones marked new. POST with ``id`` marks that one read and opens
    where its work is done; POST without marks them all read."""
    if request.method == "POST":
        raw = request.POST.get("id", "")
        if raw.isdigit():
            # Only one of the user's own, about a plan they still see; anything else: the list.
            notification = notifications_for(request.user).filter(pk=int(raw)).first()
            if notification is not None:
                mark_read(user=request.user, ids=[notification.pk])
                return redirect(notification_url(notification))
        else:
            mark_read(user=request.user)
        return redirect("plans:notifications")
    rows = list(notifications_for(request.user).select_related("actor", "plan__account", "plan__period")[:LIST_LIMIT])
    for row in rows:
        row.text = event_text(row)
    return render(
        request,
        "plans/notifications.html",
        {"notifications": rows, "unread": sum(1 for row in rows if row.read_at is None)},
    )


@login_required
@require_safe
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The nav's unread count, fetched by the page after it loads (htmx)."""
    response = render(request, "plans/_notification_badge.html", {"count": unread_count(request.user)})
    response["Cache-Control"] = "private, no-store"
    return response
