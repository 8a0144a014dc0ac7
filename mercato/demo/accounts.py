"""The demo back-office login and the demo shopper with an address."""

from django.contrib.auth import get_user_model
from django.db import transaction

from mercato.customers.models import Address, User
from mercato.customers.rules import validate_address

DEMO_PASSWORD = "mercato-demo"  # published on purpose: it is the demo login
STAFF_EMAIL = "admin@example.com"
CUSTOMER_EMAIL = "customer@example.com"


def ensure_demo_accounts() -> tuple[User, User]:
    """The demo staff superuser and customer; existing accounts are left as they are."""
    users = get_user_model().objects
    with transaction.atomic():
        staff = users.filter(email=STAFF_EMAIL).first() or users.create_superuser(
            STAFF_EMAIL, DEMO_PASSWORD, first_name="Demo", last_name="Admin"
        )
        customer = users.filter(email=CUSTOMER_EMAIL).first() or users.create_user(
            CUSTOMER_EMAIL, DEMO_PASSWORD, first_name="Erika", last_name="Mustermann"
        )
        if not customer.addresses.exists():
            address = validate_address({
                "first_name": "Erika", "last_name": "Mustermann",
                "street_address_1": "Friedrichstraße 68", "city": "Berlin",
                "postal_code": "10117", "country": "DE", "phone": "030 901820",
            })
            Address.objects.create(customer=customer, **address,
                                   is_default_shipping=True, is_default_billing=True)
        return staff, customer
