"""Importing touchpoints (calls) and survey consent: rows saved one by one through the same
services the forms use, since such files hold thousands of rows, not hundreds of thousands.

Touchpoints are on the importer's side of the firewall (a medical colleague's are medical, as when
logged by hand) and are logged by them; one logged by a colleague is not overwritten. Consent is
recorded only for people the importer may record it for (``consent.may_record_consent``)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from accounts.selectors import accounts_visible_to
from stakeholders.consent import consent_record, consent_withdraw, may_record_consent
from stakeholders.imports.engine import Row, Run, changes, email, message, text
from stakeholders.imports.values import BadValue, normalise, parse_choice, parse_date
from stakeholders.models import (
    MAX_FREE_TEXT,
    ConsentChannel,
    ConsentMethod,
    Person,
    SurveyConsent,
    Touchpoint,
    TouchpointKind,
)
from stakeholders.services import touchpoint_log

KINDS = (
    {normalise(v): v for v in TouchpointKind.values}
    | {normalise(str(label)): v for v, label in TouchpointKind.choices}
    | {
        "besuch": TouchpointKind.VISIT,
        "face to face": TouchpointKind.VISIT,
        "anruf": TouchpointKind.CALL,
        "telefon": TouchpointKind.CALL,
        "phone": TouchpointKind.CALL,
        "remote": TouchpointKind.CALL,
        "veranstaltung": TouchpointKind.EVENT,
        "kongress": TouchpointKind.CONGRESS,
    }
)
CHANNELS = {normalise(v): v for v in ConsentChannel.values} | {
    normalise(str(label)): v for v, label in ConsentChannel.choices
}
METHODS = (
    {normalise(v): v for v in ConsentMethod.values}
    | {normalise(str(label)): v for v, label in ConsentMethod.choices}
    | {"formular": ConsentMethod.FORM, "muendlich": ConsentMethod.VERBAL}
)


def _person_key(values: dict[str, str]) -> Q:
    if values.get("person_external_id"):
        return Q(external_id=values["person_external_id"])
    if values.get("email"):
        return Q(email__iexact=email(values["email"]))
    raise BadValue(_("Neither an external id nor an e-mail: the person cannot be matched."))


class TouchpointRun(Run):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visible = accounts_visible_to(self.user)
        self.seen: set[str] = set()

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        if not values.get("external_id"):
            raise BadValue(_("No external id: without it the row could not be matched on the next import."))
        account = self.visible.filter(crm_id=values.get("account", "")).first() if values.get("account") else None
        if account is None:
            raise BadValue(
                _("The account “%(id)s” is not among the accounts you can see.")
                % {"id": values.get("account", "")[:64]}
            )
        if not values.get("date"):
            raise BadValue(_("No date."))
        data: dict[str, Any] = {
            "external_id": text(values["external_id"], Touchpoint, "external_id"),
            "account": account,
            "date": parse_date(values["date"]),
        }
        if values.get("kind"):
            data["kind"] = parse_choice(values["kind"], KINDS, _("kind of touchpoint"))
        if values.get("summary"):
            data["summary"] = values["summary"][:MAX_FREE_TEXT]
        if values.get("next_step"):
            data["next_step"] = text(values["next_step"], Touchpoint, "next_step")
        if values.get("follow_up_date"):
            data["follow_up_date"] = parse_date(values["follow_up_date"])
        people = []
        for key in filter(None, (k.strip() for k in values.get("people", "").replace(";", ",").split(","))):
            match = Q(email__iexact=key) if "@" in key else Q(external_id=key)
            person = Person.objects.filter(match, affiliations__account=account, erased_at__isnull=True).first()
            if person is None:
                raise BadValue(_("“%(key)s” is not a stakeholder at this account.") % {"key": key[:64]})
            people.append(person)
        data["people"] = people
        return data

    def process(self, rows: list[Row]) -> None:
        for line, cells in rows:
            try:
                data = self.clean(self.values(cells))
            except BadValue as exc:
                self.reject(line, cells, str(exc))
                continue
            if data["external_id"] in self.seen:
                self.reject(line, cells, _("This external id appears earlier in the file."))
                continue
            people = data.pop("people")
            touchpoint = Touchpoint.objects.filter(external_id=data["external_id"]).first()
            if touchpoint is not None and touchpoint.logged_by_id != self.user.pk:
                self.reject(line, cells, _("A touchpoint with this external id was logged by a colleague."))
                continue
            if touchpoint is None:
                touchpoint = self.stamp(Touchpoint(**data))
                outcome = "created"
            else:
                fields = changes(touchpoint, data)
                same_people = {p.pk for p in people} == set(touchpoint.stakeholders.values_list("pk", flat=True))
                outcome = "updated" if fields or not same_people else "unchanged"
                self.stamp(touchpoint)
            if self.apply and outcome != "unchanged":
                try:
                    with transaction.atomic():
                        touchpoint_log(touchpoint=touchpoint, participants=[], people=people, by=self.user)
                except ValidationError as exc:
                    self.reject(line, cells, message(exc))
                    continue
            self.seen.add(data["external_id"])
            self.counts[outcome] += 1


class ConsentRun(Run):
    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        person = Person.objects.filter(_person_key(values), erased_at__isnull=True).first()
        if person is None or not may_record_consent(self.user, person):
            raise BadValue(_("No stakeholder you may record consent for has this external id or e-mail."))
        for field in ("given_at", "source", "wording"):
            if not values.get(field):
                raise BadValue(_("Consent needs the date, the source and the wording."))
        data: dict[str, Any] = {
            "person": person,
            "given_on": parse_date(values["given_at"]),
            "source": text(values["source"], SurveyConsent, "source"),
            "wording": values["wording"][:2000],
            "channel": parse_choice(values["channel"], CHANNELS, _("channel"))
            if values.get("channel")
            else ConsentChannel.EMAIL,
            "method": parse_choice(values["method"], METHODS, _("method"))
            if values.get("method")
            else ConsentMethod.IMPORTED,
        }
        data["withdrawn_on"] = parse_date(values["withdrawn_at"]) if values.get("withdrawn_at") else None
        return data

    def process(self, rows: list[Row]) -> None:
        for line, cells in rows:
            try:
                data = self.clean(self.values(cells))
            except BadValue as exc:
                self.reject(line, cells, str(exc))
                continue
            withdrawn_on = data.pop("withdrawn_on")
            consent = SurveyConsent.objects.filter(
                person=data["person"], channel=data["channel"], given_at__date=data["given_on"], wording=data["wording"]
            ).first()
            withdraw = withdrawn_on is not None and (consent is None or consent.withdrawn_at is None)
            outcome = "created" if consent is None else "updated" if withdraw else "unchanged"
            if self.apply and outcome != "unchanged":
                try:
                    with transaction.atomic():
                        if consent is None:
                            consent = consent_record(**data)
                            update_change_reason(consent, self.reason)
                        if withdraw:
                            at = timezone.make_aware(datetime.combine(withdrawn_on, time(12)))
                            consent_withdraw(consent=consent, on=at)
                            update_change_reason(consent, self.reason)
                except ValidationError as exc:
                    self.reject(line, cells, message(exc))
                    continue
            self.counts[outcome] += 1
