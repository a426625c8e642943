from django.core.management import call_command

from accounts.models import Account, AccountFinancials, AccountHealth, Listing
from accounts.services import account_scores
from kam.demo.qualification import refresh_qualification
from kam.models import Role, User
from plans.models import Objective


def test_seed_demo_is_idempotent_and_believable(db):
    call_command("seed_demo", verbosity=0)
    counts = (User.objects.count(), Account.objects.count(), Listing.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (User.objects.count(), Account.objects.count(), Listing.objects.count()) == counts
    assert Account.objects.count() == 40
    assert set(Account.objects.values_list("account_type", flat=True)) == {"hospital", "pharmacy", "wholesaler"}
    assert set(Account.objects.values_list("currency", flat=True)) == {"EUR", "CHF", "GBP"}
    assert User.objects.filter(role=Role.KAM).count() == 5
    assert Account.objects.filter(is_key_account=True).exists()
    assert Account.objects.filter(is_key_account=False).exists()
    assert Account.objects.filter(parent__isnull=False).exists()
    assert AccountFinancials.objects.filter(account__currency="CHF").exists()
    head = User.objects.get(username="head")
    assert User.objects.below(head).filter(role=Role.KAM).count() == 5
    # Every account has its health, and not all in one band.
    assert AccountHealth.objects.count() == 40
    assert len({h.band for h in AccountHealth.objects.filter(score__isnull=False)}) >= 2
    # Objectives of every kind, each measurable as its kind needs.
    objectives = Objective.objects.all()
    assert set(objectives.values_list("kind", flat=True)) == {"numeric", "milestone", "listing"}
    assert set(objectives.values_list("pacing", flat=True)) == {"linear", "at_due"}
    assert objectives.count() == objectives.measurable().count()


def test_seed_demo_scales_with_bulk_inserts(db, settings):
    call_command("seed_demo", accounts=300, verbosity=0)
    assert Account.objects.count() == 300
    call_command("seed_demo", accounts=300, verbosity=0)
    assert Account.objects.count() == 300
    # Four products each; a pharmacy none of the two given in hospital only.
    scale = Account.objects.filter(crm_id__startswith="SCALE-")
    pharmacies = scale.filter(account_type="pharmacy").count()
    assert scale.count() == 260 and pharmacies > 50
    assert Listing.objects.filter(account__in=scale).count() == (260 - pharmacies) * 4 + pharmacies * 2
    # Their qualification is the app's: what the services compute, and it follows the rule's threshold.
    bulk = Account.objects.filter(crm_id__startswith="SCALE-")
    for account in bulk[:40]:
        scores = account_scores(account)
        assert (account.qualification_score, account.qualifies) == (scores["qualification_score"], scores["qualifies"])
        assert (account.attractiveness, account.position) == (scores["attractiveness"], scores["position"])
        assert account.is_key_account == bool(scores["qualifies"])
    assert bulk.filter(is_key_account=True).exists() and bulk.filter(is_key_account=False).exists()
    settings.QUALIFICATION_THRESHOLD = 101
    assert refresh_qualification(list(bulk.values_list("pk", flat=True))) > 0
    assert not bulk.filter(is_key_account=True).exists()
