"""The key dates as an iCalendar file (RFC 5545, with the ``icalendar`` package), for the feed that
Outlook and Google Calendar subscribe to.

Every date is an all-day event whose UID names the kind and the row (``KeyDate.uid``) and the
site, so a refresh updates an event, a moved date included, rather than adding a second one. The
package escapes commas, semicolons and line breaks; characters no text should hold (``kam.text``)
are dropped first, as every file the app writes does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from kam.portfolio.calendar import KeyDate
from kam.text import xml_safe

# How often a client should fetch the feed again (a hint; Outlook and Google choose their own).
REFRESH = timedelta(hours=6)
# The most dates a feed carries, the earliest (a calendar client handles thousands; an
# administrator's year of every account's actions would be more).
FEED_LIMIT = 3000


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def _event(entry: KeyDate, *, host: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{entry.uid}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.day)
    event.add("dtend", entry.day + timedelta(days=1))
    event.add("summary", xml_safe(f"{entry.label}: {entry.title} – {entry.account_name}"))
    description = [entry.title, entry.account_name]
    if entry.owner:
        description.append(_("Owner: %(name)s") % {"name": entry.owner})
    event.add("description", xml_safe("\n".join(description)))
    event.add("url", _site() + entry.url)
    event.add("categories", [xml_safe(entry.label)])
    event.add("transp", "TRANSPARENT")  # a key date is not a meeting: it does not make anyone busy
    return event


def feed_ics(entries: list[KeyDate], *, name: str, now: datetime | None = None) -> bytes:
    """``entries`` as one VCALENDAR named ``name``."""
    stamp = now or timezone.now()
    host = urlsplit(_site()).hostname or "kam-planner"
    calendar = Calendar()
    calendar.add("prodid", "-//KAM Planner//Key dates//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", xml_safe(name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # Outlook's name for the same hint; an X- property, so the duration is given as its text.
    calendar.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())
    for entry in entries:
        calendar.add_component(_event(entry, host=host, stamp=stamp))
    return calendar.to_ical()


def feed_range(today: date) -> tuple[date, date]:
    """The feed's days: a month back (what just happened stays in view), a year ahead."""
    return today - timedelta(days=31), today + timedelta(days=366)
