"""The REST API against its own OpenAPI schema, with Schemathesis: every operation, a few generated
requests each (valid and invalid bodies and parameters), as an administrator (every field and
every row) and as a medical colleague (the firewall's cut). No answer may be a 5xx, and every
answer must match the schema: status, content type and body."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from kam.api_tokens import api_token_create
from kam.models import Role
from stakeholders.models import Touchpoint
from tests.factories import AccountFactory, FinancialsFactory, TeamMemberFactory, UserFactory
from tests.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory
from tests.stakeholder_factories import AffiliationFactory, TouchpointFactory
from tests.survey_factories import CampaignFactory, InvitationFactory, ResponseFactory

APP = get_wsgi_application()
# Generated in process: the schema view itself wants a signed-in user.
SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker) -> dict[str, str]:
    """One data set for the module, rolled back at its end (building it per operation took most
    of the run). The test's transaction must outlive each request: as Django's test client does,
    the WSGI handler is kept from closing the database connection at the end of a request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        yield _world()
        transaction.set_rollback(True)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _world() -> dict[str, str]:
    admin = UserFactory(username="api_admin", role=Role.ADMIN)
    kam = UserFactory(username="api_kam")
    medical = UserFactory(username="api_medical", role=Role.MSL)
    account = AccountFactory(owner=kam)
    TeamMemberFactory(account=account, user=medical)
    FinancialsFactory(account=account)
    affiliation = AffiliationFactory(account=account)
    TouchpointFactory(account=account, logged_by=kam).stakeholders.add(affiliation.person)
    Touchpoint.objects.create(account=account, logged_by=medical, is_medical=True, summary="Medical")
    plan = PlanFactory(account=account)
    ActionFactory(plan=plan, objective=ObjectiveFactory(plan=plan), owner=kam)
    invitation = InvitationFactory(campaign=CampaignFactory(anonymous=True), account=account, person=affiliation.person)
    ResponseFactory(invitation=invitation)
    return {
        "admin": api_token_create(user=admin, name="schemathesis")[1],
        "medical": api_token_create(user=medical, name="schemathesis")[1],
    }


@pytest.mark.django_db
@SCHEMA.parametrize()
@settings(
    # Bounded, so the whole module runs in about a minute: two generated requests per operation
    # and user, no shrinking (a failure prints its request as curl anyway).
    max_examples=2,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.parametrize("who", ["admin", "medical"])
def test_it_answers_every_operation_as_its_schema_says(case, who, tokens):
    if who == "medical" and case.method != "GET":
        return  # the medical cut is in what is read; their writes are refused before any body is read
    case.call_and_validate(app=APP, headers={"Authorization": f"Bearer {tokens[who]}"}, checks=CHECKS)
