"""Release the payments of checkouts left half-way (run it from cron, e.g. hourly)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser

from mercato.checkout.services import abandon_stale_attempts


class Command(BaseCommand):
    help = ("Void the authorizations of checkouts unfinished for --minutes (default 60): a "
            "3-D Secure never confirmed, a client that never retried.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=60)

    def handle(self, *args, **options):
        count = abandon_stale_attempts(older_than=timedelta(minutes=options["minutes"]))
        self.stdout.write(f"Abandoned {count} checkout{'s' if count != 1 else ''}.")
