"""factory_boy factories shared by every test module."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from mercato.cart.models import Cart, CartLine
from mercato.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductImage,
    ProductType,
    ProductVariant,
    Tag,
    VariantPrice,
)
from mercato.catalog.services import refresh_listings
from mercato.customers.auth import token_digest
from mercato.customers.models import Address, ApiToken, User
from mercato.inventory.models import Stock, Warehouse


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductType
        django_get_or_create = ("slug",)

    name = "Apparel"
    slug = "apparel"


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute
        django_get_or_create = ("slug",)

    name = "Colour"
    slug = "colour"


class AttributeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttributeValue
        django_get_or_create = ("attribute", "slug")

    attribute = factory.SubFactory(AttributeFactory)
    name = "Red"
    slug = "red"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    title = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A fine product."
    product_type = factory.SubFactory(ProductTypeFactory)
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    is_published = True
    search_document = factory.LazyAttribute(lambda o: f"{o.title} {o.description}")


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    url = factory.Sequence(lambda n: f"https://img.example/{n}.jpg")
    alt_text = "A product picture"


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = "Default"
    weight_grams = 500


class VariantPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VariantPrice
        skip_postgeneration_save = True

    variant = factory.SubFactory(ProductVariantFactory)
    currency = "EUR"
    amount = Decimal("19.90")

    @factory.post_generation
    def listing(obj, create, extracted, **kwargs):
        """Keep the listing read model in step, as the services that change prices do."""
        if create:
            refresh_listings(product_ids=[obj.variant.product_id])


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = "main"
    name = "Main warehouse"
    street_address_1 = "Lagerstraße 5"
    postal_code = "20457"
    city = "Hamburg"
    country = "DE"
    priority = 10


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock
        skip_postgeneration_save = True

    variant = factory.SubFactory(ProductVariantFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    on_hand = 10
    allocated = 0

    @factory.post_generation
    def listing(obj, create, extracted, **kwargs):
        """Keep the listing read model in step, as the inventory services do."""
        if create:
            refresh_listings(product_ids=[obj.variant.product_id])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = "Ada"
    last_name = "Lovelace"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(UserFactory)
    first_name = "Ada"
    last_name = "Lovelace"
    street_address_1 = "Unter den Linden 1"
    city = "BERLIN"
    postal_code = "10117"
    country = "DE"


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """Pass `token="..."` to know the plain token; only its digest is stored."""

    class Meta:
        model = ApiToken
        exclude = ("token",)

    token = factory.Sequence(lambda n: f"test-token-{n:04d}-abcdefghijklmnop")
    user = factory.SubFactory(UserFactory)
    digest = factory.LazyAttribute(lambda o: token_digest(o.token))
    prefix = factory.LazyAttribute(lambda o: o.token[:8])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart

    currency = "EUR"


class CartLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    variant = factory.SubFactory(ProductVariantFactory)
    quantity = 1
    seen_unit_amount = Decimal("19.90")


def make_sellable_variant(*, price: str = "19.90", currency: str = "EUR", on_hand: int = 10,
                          **product_fields: object) -> ProductVariant:
    """A published product with one variant, a price and stock in the main warehouse."""
    product = ProductFactory(**product_fields)
    variant = ProductVariantFactory(product=product)
    VariantPriceFactory(variant=variant, currency=currency, amount=Decimal(price))
    StockFactory(variant=variant, on_hand=on_hand)
    return variant
