"""Release the payments of checkouts left half-way, now. The worker runs the same service every
10 minutes (mercato/schedule.py) with MERCATO_CHECKOUT_ABANDON_AFTER; this is for running it by
hand, with another age if need be."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from mercato.checkout.services import abandon_stale_attempts


class Command(BaseCommand):
    help = ("Void the authorizations of checkouts unfinished for --minutes (default "
            "MERCATO_CHECKOUT_ABANDON_AFTER, 60): a 3-D Secure never confirmed, a client that "
            "never retried.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=None)

    def handle(self, *args, **options):
        minutes = options["minutes"]
        older_than = (settings.MERCATO_CHECKOUT_ABANDON_AFTER if minutes is None
                      else timedelta(minutes=minutes))
        count = abandon_stale_attempts(older_than=older_than)
        self.stdout.write(f"Abandoned {count} checkout{'s' if count != 1 else ''}.")
