"""Every dashboard tile opens the list behind it: the tile's number is the number of rows."""

import re

import pytest
from django.urls import reverse

from plans.models import PlanningPeriod
from tests.portfolio.test_dashboard import TODAY, world  # noqa: F401  (the fixture)

# Tile id on the dashboard -> the list it opens (kam.portfolio.tiles).
TILES = [
    "coverage",
    "reviews-overdue",
    "actions-overdue",
    "objectives-on-track",
    "objectives-at-risk",
    "objectives-achieved",
    "stale-contacts",
    "plans-draft",
    "plans-submitted",
    "plans-changes_requested",
    "plans-approved",
]


def _tile_number(page: str, tile: str) -> tuple[int, str]:
    """The number a tile shows and the link it opens."""
    anchor = re.search(rf'<a[^>]*id="tile-{tile}"[^>]*>', page)
    assert anchor, tile
    href = re.search(r'href="([^"]+)"', anchor.group(0)).group(1).replace("&amp;", "&")
    rest = page[anchor.end() :]
    if tile.startswith("plans-"):  # the status table: the number is in the next cell
        number = re.search(r'<td class="text-end">(\d+)</td>', rest).group(1)
    elif tile == "coverage":  # the share is the big figure; the accounts it counts are below it
        number = re.search(r"(\d+) key accounts? with an approved plan", rest).group(1)
    elif tile.startswith("objectives-"):  # the figure is the link's own text
        number = re.match(r"(\d+)</a>", rest).group(1)
    else:
        number = re.search(r'<div class="stat-value[^"]*">(\d+)', rest).group(1)
    return int(number), href


def _rows(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    page = response.content.decode()
    total = int(re.search(r'id="tile-total">(\d+)<', page).group(1))
    rows = page.count('class="tile-row"')
    assert rows == total
    return rows


@pytest.mark.parametrize("role", ["kam_a", "manager_a", "head"])
def test_each_tile_number_is_the_number_of_rows_its_link_shows(cast, world, login, role, time_machine):  # noqa: F811
    time_machine.move_to(TODAY)
    client = login(getattr(cast, role))
    page = client.get(reverse("home")).content.decode()
    seen = {}
    for tile in TILES:
        number, href = _tile_number(page, tile)
        assert reverse("dashboard-list", args=[tile]) in href
        seen[tile] = number
        assert _rows(client, href) == number, tile
    # The fixture's portfolio is not empty: the lists are compared with something.
    assert seen["actions-overdue"] and seen["stale-contacts"] and seen["reviews-overdue"]


def test_the_key_accounts_tile_opens_the_key_accounts_with_the_filters(cast, world, login, time_machine):  # noqa: F811
    time_machine.move_to(TODAY)
    client = login(cast.manager_a)
    page = client.get(reverse("home"), {"owner": cast.kam_a.pk}).content.decode()
    _number, href = _tile_number(page, "key-accounts")
    assert "key=yes" in href and f"owner={cast.kam_a.pk}" in href


def test_a_tile_list_keeps_the_dashboards_filters(cast, world, login, time_machine):  # noqa: F811
    time_machine.move_to(TODAY)
    client = login(cast.head)
    other = PlanningPeriod.objects.create(
        name="FY 2025", start=TODAY.replace(year=2025, month=1, day=1), end=TODAY.replace(year=2025, month=12, day=31)
    )
    page = client.get(reverse("home"), {"period": other.pk}).content.decode()
    for tile in ("actions-overdue", "plans-approved"):
        number, href = _tile_number(page, tile)
        assert f"period={other.pk}" in href and _rows(client, href) == number == 0


def test_a_medical_colleague_gets_no_tile_list(cast, login):
    assert login(cast.medical).get(reverse("dashboard-list", args=["actions-overdue"])).status_code == 403
