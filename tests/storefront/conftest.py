"""Fixtures shared by the storefront page tests (catalog, shop, account).

`shop_catalog` is a small shop: Clothing > Shirts, Shoes; two brands; a shirt with two sizes
(one sold out) and a compare-at price, a second shirt, and a sold-out shoe, priced in EUR.
`customer_client` is logged in; `cart_client` is an anonymous shopper whose cart cookie holds
one shirt.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from mercato.cart import services as cart_services
from mercato.catalog.models import Category, Product, ProductVariant
from mercato.catalog.services import refresh_listings
from mercato.customers.models import User
from tests.catalog.builders import add_variant, listed_product
from tests.factories import BrandFactory, CategoryFactory, ProductImageFactory, UserFactory

CUSTOMER_PASSWORD = "correct-horse-battery"  # what UserFactory sets


@dataclass
class ShopCatalog:
    clothing: Category
    shirts: Category
    shoes: Category
    linen_shirt: Product
    linen_small: ProductVariant   # in stock, 29.90 (was 39.90)
    linen_large: ProductVariant   # sold out
    oxford_shirt: Product
    trail_shoe: Product           # sold out


@pytest.fixture
def shop_catalog(db) -> ShopCatalog:
    clothing = CategoryFactory(name="Clothing", slug="clothing", description="All clothes.")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    shoes = CategoryFactory(name="Shoes", slug="shoes", parent=clothing)
    acme = BrandFactory(name="Acme", slug="acme")
    zenith = BrandFactory(name="Zenith", slug="zenith")

    linen = listed_product(title="Linen shirt", slug="linen-shirt", category=shirts, brand=acme,
                           price="29.90", on_hand=3, options=("size:small",),
                           attributes=("material:linen",),
                           description="<p>A <b>light</b> shirt for summer days.</p>")
    linen_small = linen.variants.get()
    linen_small.prices.update(compare_at_amount=Decimal("39.90"))
    ProductVariant.objects.filter(pk=linen_small.pk).update(name="Small")
    linen_large = add_variant(linen, prices={"EUR": "31.90"}, on_hand=0,
                              options=("size:large",))
    ProductImageFactory(product=linen, url="/media/linen.jpg", alt_text="A linen shirt")
    oxford = listed_product(title="Oxford shirt", slug="oxford-shirt", category=shirts,
                            brand=zenith, price="49.00", on_hand=8,
                            attributes=("material:cotton",))
    shoe = listed_product(title="Trail shoe", slug="trail-shoe", category=shoes, brand=acme,
                          price="89.00", on_hand=0)
    refresh_listings(product_ids=[linen.pk, oxford.pk, shoe.pk])
    return ShopCatalog(clothing=clothing, shirts=shirts, shoes=shoes, linen_shirt=linen,
                       linen_small=linen_small, linen_large=linen_large, oxford_shirt=oxford,
                       trail_shoe=shoe)


@pytest.fixture
def customer(db) -> User:
    return UserFactory(email="ada@example.com")


@pytest.fixture
def customer_client(customer) -> Client:
    """A browser logged in as `customer` (password CUSTOMER_PASSWORD)."""
    client = Client()
    client.force_login(customer)
    return client


@pytest.fixture
def cart_client(shop_catalog) -> Client:
    """An anonymous browser whose cart cookie holds one small linen shirt."""
    cart = cart_services.add_line(customer_id=None, token=None,
                                  sku=shop_catalog.linen_small.sku, quantity=1)
    client = Client()
    client.cookies[settings.MERCATO_CART_COOKIE] = cart.token
    return client
