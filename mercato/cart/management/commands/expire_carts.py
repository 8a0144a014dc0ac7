"""Mark Active carts not updated within MERCATO_CART_TTL as Expired, now. The worker runs the
same service hourly (mercato/schedule.py); this is for running it by hand."""

from django.core.management.base import BaseCommand

from mercato.cart.services import expire_carts


class Command(BaseCommand):
    help = "Mark every Active cart not updated within MERCATO_CART_TTL as Expired."

    def handle(self, *args, **options):
        count = expire_carts()
        self.stdout.write(f"Expired {count} cart{'s' if count != 1 else ''}.")
