"""Create or update the staff role groups from fulfilment.roles.ROLES (migrate runs it once;
run it again after an app adds models, e.g. returns)."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from mercato.fulfilment.roles import apply_roles


class Command(BaseCommand):
    help = "Create or update the staff role groups (Customer Service, Warehouse, ...)."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = apply_roles(group_model=Group, permission_model=Permission)
        for role, count in counts.items():
            self.stdout.write(f"{role}: {count} permission{'s' if count != 1 else ''}")
