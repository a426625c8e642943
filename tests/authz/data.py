"""The data the authorisation matrix runs against: the shared cast, extended, and every kind of
object a route needs, once for account A and once for account C.

The cast mirrors ``tests/conftest.py`` (a national head over two managers; manager A leads KAM A
and KAM B, manager B leads KAM C; market access with a seat on account A; an administrator) and
adds the two medical colleagues the firewall is about: one with a seat on account A's team, one
without any seat.

Objects are looked up in the matrix through placeholders (``{plan}``, ``{affiliation}`` …): the
row's object column says whose, ``own`` (account A's) or ``foreign`` (account C's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounts.models import HandoverNote, TeamFunction
from kam.models import CalendarFeedToken, Role, User
from kam.portfolio.meetings import meeting_start
from kam.portfolio.models import ReviewDecision
from plans.models import PlanningPeriod, PlanStatus
from stakeholders.imports.models import DataImport
from stakeholders.models import (
    Function,
    InvitationStatus,
    LowScoreFollowUp,
    SupportRequest,
    SupportStatus,
)
from stakeholders.surveys.tokens import invitation_token
from tests.factories import (
    AccountFactory,
    ContractFactory,
    FinancialsFactory,
    ListingFactory,
    TeamMemberFactory,
    TenderFactory,
    TenderLotFactory,
    UserFactory,
)
from tests.plan_factories import (
    ActionFactory,
    CommunicationFactory,
    ObjectiveFactory,
    PeriodFactory,
    PlanFactory,
    RelationshipObjectiveFactory,
    ResourceFactory,
    SwotFactory,
)
from tests.stakeholder_factories import (
    AffiliationFactory,
    CoverageFactory,
    KolFactory,
    TouchpointFactory,
    TransferOfValueFactory,
)
from tests.survey_factories import CampaignFactory, InvitationFactory, ResponseFactory, SurveyConsentFactory

ROLES = (
    "anonymous",
    "kam_a",
    "kam_b",
    "kam_c",
    "manager_a",
    "manager_b",
    "head",
    "access",
    "medical_seat",
    "medical_out",
    "admin",
)
OWN, FOREIGN, NONE = "own", "foreign", "-"


@dataclass
class World:
    users: dict[str, User]
    # Per side (own, foreign): placeholder name -> value (mostly primary keys).
    objects: dict[str, dict[str, object]] = field(default_factory=dict)
    # Values that belong to no side (the next planning period…).
    common: dict[str, object] = field(default_factory=dict)

    def values(self, side: str) -> dict[str, object]:
        return {**self.common, **self.objects.get(side, {})}


def build_cast() -> dict[str, User]:
    head = UserFactory(username="head", role=Role.MANAGER)
    manager_a = UserFactory(username="manager_a", role=Role.MANAGER, manager=head)
    manager_b = UserFactory(username="manager_b", role=Role.MANAGER, manager=head)
    return {
        "head": head,
        "manager_a": manager_a,
        "manager_b": manager_b,
        "kam_a": UserFactory(username="kam_a", manager=manager_a),
        "kam_b": UserFactory(username="kam_b", manager=manager_a),
        "kam_c": UserFactory(username="kam_c", manager=manager_b),
        "access": UserFactory(username="access", role=Role.MARKET_ACCESS),
        "medical_seat": UserFactory(username="medical_seat", role=Role.MSL),
        "medical_out": UserFactory(username="medical_out", role=Role.MEDICAL_ADVISER),
        "admin": UserFactory(username="admin", role=Role.ADMIN),
    }


def _side(
    owner: User, manager: User, period: PlanningPeriod, *, access: User | None = None, medical: User | None = None
) -> dict[str, object]:
    """One account with everything hanging off it; ``access`` and ``medical`` (if given) have a
    seat on its team, and the medical colleague's work is on record there."""
    account = AccountFactory(name=f"Account of {owner.username}", owner=owner, is_key_account=True)
    if access is not None:
        TeamMemberFactory(account=account, user=access, function=TeamFunction.MARKET_ACCESS)
    FinancialsFactory(account=account)
    ListingFactory(account=account)
    tender = TenderFactory(account=account)
    TenderLotFactory(tender=tender)
    contract = ContractFactory(account=account)
    affiliation = AffiliationFactory(account=account, function=Function.HEAD_OF_DEPARTMENT)
    person = affiliation.person
    AffiliationFactory(account=account, function=Function.HOSPITAL_PHARMACIST)
    CoverageFactory(affiliation=affiliation, user=owner, strength=4)
    touchpoint = TouchpointFactory(account=account, logged_by=owner, stakeholders=[person])
    TransferOfValueFactory(touchpoint=touchpoint, recipient_person=person, amount=Decimal("80.00"))
    medical_touchpoint = None
    if medical is not None:
        TeamMemberFactory(account=account, user=medical, function=TeamFunction.MSL)
        CoverageFactory(affiliation=affiliation, user=medical, strength=5)
        KolFactory(person=person, set_by=medical)
        medical_touchpoint = TouchpointFactory(
            account=account, logged_by=medical, stakeholders=[person], summary="Scientific exchange on subgroups"
        )
        TransferOfValueFactory(touchpoint=medical_touchpoint, recipient_person=person)
    consent = SurveyConsentFactory(person=person)
    support = SupportRequest.objects.create(
        account=account, person=person, topic="Data on subgroups", requested_by=owner, status=SupportStatus.OPEN
    )

    # Plans: a draft (edited, submitted), a submitted one (reviewed), an approved one (revised).
    plan = PlanFactory(account=account, period=period)
    objective = ObjectiveFactory(plan=plan)
    action = ActionFactory(plan=plan, objective=objective)
    ResourceFactory(action=action)
    SwotFactory(plan=plan)
    CommunicationFactory(plan=plan)
    RelationshipObjectiveFactory(plan=plan, affiliation=affiliation)
    submitted = PlanFactory(
        account=account, period=period, therapeutic_area="Oncology", status=PlanStatus.SUBMITTED, submitted_by=owner
    )
    ObjectiveFactory(plan=submitted)
    approved = PlanFactory(
        account=account, period=period, therapeutic_area="Haematology", status=PlanStatus.APPROVED, approved_by=manager
    )
    ObjectiveFactory(plan=approved)

    # CSAT: a campaign of this side's manager that reached the account, one low answer and its follow-up.
    campaign = CampaignFactory(created_by=manager)
    invitation = InvitationFactory(campaign=campaign, person=person, account=account, status=InvitationStatus.ANSWERED)
    ResponseFactory(invitation=invitation, csat_score=2)
    follow_up = LowScoreFollowUp.objects.create(account=account, invitation=invitation)
    # An upload of the account's owner, waiting for its mapping (the CRM import).
    data_import = DataImport.objects.create(
        user=owner,
        kind="accounts",
        file_name="veeva.csv",
        stored_name="missing",
        file_format="csv",
        headers=["Account ID", "Account Name"],
    )

    # A handover of the account to its owner (from the manager, who owned it before): its pack.
    handover = HandoverNote.objects.create(account=account, from_user=manager, to_user=owner, by=manager, note="Hi")

    return {
        "account": account.pk,
        "owner": owner.pk,
        "handover": handover.pk,
        "person": person.pk,
        "affiliation": affiliation.pk,
        "touchpoint": touchpoint.pk,
        "medical_touchpoint": medical_touchpoint.pk if medical_touchpoint else None,
        "support": support.pk,
        "consent": consent.pk,
        "plan": plan.pk,
        "objective": objective.pk,
        "action": action.pk,
        "submitted_plan": submitted.pk,
        "approved_plan": approved.pk,
        "campaign": campaign.pk,
        "follow_up": follow_up.pk,
        "token": invitation_token(invitation),
        "import": data_import.pk,
        "tender": tender.pk,
        "contract": contract.pk,
    }


def build_world() -> World:
    users = build_cast()
    # This year's and next year's: dates the pages prefill (a decision due in a fortnight) fall in them.
    year = date.today().year
    period = PeriodFactory(name=f"FY {year}", start=date(year, 1, 1), end=date(year, 12, 31))
    next_period = PeriodFactory(name=f"FY {year + 1}", start=date(year + 1, 1, 1), end=date(year + 1, 12, 31))
    # KAM A's calendar feed: its secret link is the credential, whoever follows it.
    world = World(
        users=users,
        common={"next_period": next_period.pk, "calendar_token": CalendarFeedToken.objects.renew(users["kam_a"])},
    )
    world.objects[OWN] = _side(
        users["kam_a"], users["manager_a"], period, access=users["access"], medical=users["medical_seat"]
    )
    # Account C's own MSL, so that C has medical work on record too; not a role of the matrix.
    msl_c = UserFactory(username="msl_c", role=Role.MSL)
    world.objects[FOREIGN] = _side(users["kam_c"], users["manager_b"], period, medical=msl_c)
    # A review meeting per side, run by the side's manager over its one key account; the own one
    # has KAM A and B, market access and the medical colleague with a seat as participants.
    own = meeting_start(
        manager=users["manager_a"],
        participants=[users[name] for name in ("kam_a", "kam_b", "access", "medical_seat")],
    )
    foreign = meeting_start(manager=users["manager_b"], participants=[users["kam_c"], msl_c])
    # A decision each, kept on the meeting (not yet on a plan), owned by the account's KAM.
    for side, meeting, kam in ((OWN, own, users["kam_a"]), (FOREIGN, foreign, users["kam_c"])):
        account = meeting.agenda.get().account
        decision = ReviewDecision.objects.create(
            meeting=meeting,
            account=account,
            title="Book the committee",
            owner=kam,
            due_date=period.end,
            recorded_by=meeting.manager,
        )
        world.objects[side] |= {"meeting": meeting.pk, "decision": decision.pk}
    return world
