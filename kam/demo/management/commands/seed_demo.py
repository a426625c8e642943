"""``manage.py seed_demo``: load the demo organisation (its data and loading live in kam.demo)."""

from django.core.management.base import BaseCommand, CommandError

from kam.demo.bulk_accounts import add_bulk_accounts
from kam.demo.data import DEMO_PASSWORD, PEOPLE
from kam.demo.large import seed_large
from kam.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Load idempotent demo data (people, accounts, products, listings, financials). "
        "--accounts N tops the accounts up to N in bulk for benchmarks; --large adds a big "
        "organisation (kam.demo.large) once, --scale F a share of it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--accounts", type=int, default=0, help="Add bulk accounts up to this many in total.")
        parser.add_argument(
            "--large", action="store_true", help="Add a big organisation: 10,000 accounts, 400 KAMs, 3 million rows."
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="With --large: a share of the big organisation, e.g. 0.002."
        )

    def handle(self, *args, accounts: int = 0, large: bool = False, scale: float = 1.0, **options) -> None:
        if scale <= 0 or scale > 1:
            raise CommandError("--scale must be above 0 and at most 1.")
        seed_demo()
        if accounts:
            added, total = add_bulk_accounts(accounts)
            if added:
                self.stdout.write(f"Added {added} bulk accounts ({total} in all).")
        if large:
            self.stdout.write(f"Loading the large organisation at scale {scale:g}:")
            counts = seed_large(scale=scale, log=self.stdout.write)
            if counts is None:
                self.stdout.write("The large organisation is already loaded.")
            else:
                for table, n in sorted(counts.items()):
                    self.stdout.write(f"  {table:<40} {n:>10,}")
                self.stdout.write(
                    "Its people log in with the same password, e.g. head.de (national head), kam.de.1.001."
                )
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ with:"))
        for username, first, last, role, *_ in PEOPLE:
            self.stdout.write(f"  {username:<14} {DEMO_PASSWORD}   ({first} {last}, {role.label})")
