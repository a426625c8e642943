from django.core.management import call_command

from accounts.models import Account, AccountFinancials, AccountHealth, Listing
from kam.models import Role, User


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


def test_seed_demo_scales_with_bulk_inserts(db):
    call_command("seed_demo", accounts=300, verbosity=0)
    assert Account.objects.count() == 300
    call_command("seed_demo", accounts=300, verbosity=0)
    assert Account.objects.count() == 300
    assert Listing.objects.filter(account__crm_id__startswith="SCALE-").count() == 260 * 4
