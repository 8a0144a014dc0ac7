from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from mercato.core.events import Actor
from mercato.core.models import Event, EventDelivery
from mercato.inventory.services import set_stock_level
from tests.factories import (
    AddressFactory,
    ApiTokenFactory,
    AttributeValueFactory,
    CartFactory,
    CartLineFactory,
    CategoryFactory,
    ProductImageFactory,
    TagFactory,
    UserFactory,
    make_sellable_variant,
)
from tests.payments.factories import make_payments_setup
from tests.pricing.factories import make_pricing_setup


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(db):
    return UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def shop(db):
    """A little of everything, so every admin page has something to render."""
    variant = make_sellable_variant(category=CategoryFactory(parent=CategoryFactory()))
    product = variant.product
    product.tags.add(TagFactory())
    product.attribute_values.add(AttributeValueFactory())
    variant.option_values.add(AttributeValueFactory(name="Blue", slug="blue"))
    ProductImageFactory(product=product)
    stock = variant.stock_levels.get()
    set_stock_level(variant_id=variant.pk, warehouse_id=stock.warehouse_id, on_hand=12,
                    by=Actor("staff", "boss@example.com"))
    customer = UserFactory()
    AddressFactory(customer=customer)
    ApiTokenFactory(user=customer)
    CartLineFactory(cart=CartFactory(customer=customer), variant=variant, quantity=2)
    CartLineFactory(cart=CartFactory(), variant=variant, seen_unit_amount=Decimal("5.00"))
    Group.objects.create(name="Shop managers")
    make_pricing_setup()
    make_payments_setup()
    event = Event.objects.first()
    EventDelivery.objects.create(event=event, handler="mercato.handlers.example",
                                 next_attempt_at=event.created_at)
    return variant
