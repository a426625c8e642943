from kam.models import User


def test_it_finds_everyone_below_a_manager_at_any_depth(cast):
    below_head = set(User.objects.below(cast.head).values_list("username", flat=True))
    assert below_head == {"manager_a", "manager_b", "kam_a", "kam_b", "kam_c"}
    assert set(User.objects.below(cast.manager_a).values_list("username", flat=True)) == {"kam_a", "kam_b"}
    assert not User.objects.below(cast.kam_a).exists()


def test_it_knows_who_is_above_whom(cast):
    assert cast.head.is_above(cast.kam_c)
    assert cast.manager_a.is_above(cast.kam_b)
    assert not cast.manager_a.is_above(cast.kam_c)
    assert not cast.kam_a.is_above(cast.kam_a)


def test_it_uses_the_company_cap_unless_the_user_has_one(cast, settings):
    settings.KEY_ACCOUNT_CAP_DEFAULT = 15
    assert cast.kam_a.effective_key_account_cap == 15
    cast.kam_a.key_account_cap = 8
    assert cast.kam_a.effective_key_account_cap == 8
