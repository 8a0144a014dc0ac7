"""django-ninja schemas of the catalog API; MoneyOut is shared with other apps."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from mercato.catalog.rules import ATTRIBUTE_FILTER, parse_attribute_filters, shown_compare_at
from mercato.core.money import Money, round_money
from mercato.core.schema_types import Amount, PageNumber, sold_currencies_or_empty

DEFAULT_PAGE_SIZE = 24
SortOrder = Literal["relevance", "newest", "price", "-price", "title", "-title"]


class MoneyOut(Schema):
    """An amount of money: the amount is a decimal string in the currency's minor unit."""

    amount: str
    currency: str

    @classmethod
    def from_money(cls, money: Money) -> "MoneyOut":
        rounded = round_money(money)
        return cls(amount=str(rounded.amount), currency=rounded.currency.code)

    @classmethod
    def from_amount(cls, amount: Decimal | None, currency: str) -> "MoneyOut | None":
        return None if amount is None else cls.from_money(Money(amount, currency))


class RefOut(Schema):
    slug: str
    name: str


class ImageOut(Schema):
    url: str
    alt: str = Field(validation_alias="alt_text")


class ProductListQuery(Schema):
    page: PageNumber = 1
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=settings.MERCATO_MAX_PAGE_SIZE)
    q: str = Field("", max_length=200, description="Words to search for.")
    category: str | None = Field(None, description="Category slug; sub-categories included.")
    min_price: Amount | None = None
    max_price: Amount | None = None
    currency: str | None = Field(
        None, validate_default=True, json_schema_extra=sold_currencies_or_empty,
        description="ISO 4217 code; the shop's default if empty.",
    )
    brand: list[str] = Field([], description="Brand slug, repeatable (any of them).")
    attr: list[str] = Field(
        [], description="attribute:value, repeatable: AND across attributes, OR within one.",
        json_schema_extra={"items": {"type": "string", "pattern": ATTRIBUTE_FILTER.pattern}},
    )
    in_stock: bool | None = Field(None, description="true: only in stock; false: only sold out.")
    sort: SortOrder | None = Field(None, description="Default: relevance with q, else newest.")

    @field_validator("currency")
    @classmethod
    def currency_is_sold(cls, value: str | None) -> str:
        code = (value or settings.MERCATO_DEFAULT_CURRENCY).upper()
        if code not in settings.MERCATO_CURRENCIES:
            sold = ", ".join(settings.MERCATO_CURRENCIES)
            raise PydanticCustomError(
                "currency", "'{code}' is not a currency of this shop ({sold}).",
                {"code": value, "sold": sold},
            )
        return code

    @field_validator("attr")
    @classmethod
    def attributes_are_well_formed(cls, value: list[str]) -> list[str]:
        try:
            parse_attribute_filters(value)
        except ValueError as error:
            raise PydanticCustomError("attribute_filter", str(error)) from error
        return value


class ProductListItemOut(Schema):
    slug: str
    title: str
    brand: RefOut | None
    category: RefOut | None
    price: MoneyOut
    compare_at_price: MoneyOut | None
    in_stock: bool
    image: ImageOut | None
    created_at: datetime

    # Resolved from a ProductListing row with its product and first image (selectors.listing).
    @staticmethod
    def resolve_slug(obj: object) -> str:
        return obj.product.slug

    @staticmethod
    def resolve_title(obj: object) -> str:
        return obj.product.title

    @staticmethod
    def resolve_price(obj: object) -> MoneyOut:
        return MoneyOut.from_money(Money(obj.price_amount, obj.currency))

    @staticmethod
    def resolve_compare_at_price(obj: object) -> MoneyOut | None:
        compare_at = shown_compare_at(price=obj.price_amount, compare_at=obj.compare_at_amount)
        return MoneyOut.from_amount(compare_at, obj.currency)

    @staticmethod
    def resolve_image(obj: object) -> dict | None:
        if obj.image_url is None:
            return None
        return {"url": obj.image_url, "alt_text": obj.image_alt}


class FacetCountOut(Schema):
    slug: str
    name: str
    count: int


class CategoryFacetOut(FacetCountOut):
    parent: str | None = Field(None, description="Slug of the parent category.")


class AttributeFacetOut(Schema):
    slug: str
    name: str
    values: list[FacetCountOut]


class PriceRangeOut(Schema):
    min: MoneyOut
    max: MoneyOut

    @staticmethod
    def resolve_min(obj: object) -> MoneyOut:
        return MoneyOut.from_money(obj.low)

    @staticmethod
    def resolve_max(obj: object) -> MoneyOut:
        return MoneyOut.from_money(obj.high)


class FacetsOut(Schema):
    categories: list[CategoryFacetOut]
    brands: list[FacetCountOut]
    attributes: list[AttributeFacetOut]
    price_range: PriceRangeOut | None


class ProductListOut(Schema):
    items: list[ProductListItemOut]
    page: int
    page_size: int
    total: int
    pages: int
    sort: SortOrder
    facets: FacetsOut


class CategoryNodeOut(Schema):
    slug: str
    name: str
    product_count: int
    children: list["CategoryNodeOut"]


CategoryNodeOut.model_rebuild()


class ProductTypeOut(Schema):
    slug: str
    name: str
    is_shipping_required: bool


class ProductAttributeOut(Schema):
    attribute: RefOut
    values: list[RefOut]


class VariantOptionOut(Schema):
    attribute: RefOut
    value: RefOut

    @staticmethod
    def resolve_value(obj: object) -> object:
        return obj


class VariantPriceOut(Schema):
    price: MoneyOut
    compare_at: MoneyOut | None

    @staticmethod
    def resolve_price(obj: object) -> MoneyOut:
        return MoneyOut.from_money(Money(obj.amount, obj.currency))

    @staticmethod
    def resolve_compare_at(obj: object) -> MoneyOut | None:
        compare_at = shown_compare_at(price=obj.amount, compare_at=obj.compare_at_amount)
        return MoneyOut.from_amount(compare_at, obj.currency)


class VariantOut(Schema):
    sku: str
    name: str
    options: list[VariantOptionOut] = Field(validation_alias="option_values")
    weight_grams: int
    barcode: str
    prices: list[VariantPriceOut]
    quantity_available: int
    in_stock: bool

    @staticmethod
    def resolve_in_stock(obj: object) -> bool:
        return obj.quantity_available > 0


class ProductDetailOut(Schema):
    slug: str
    title: str
    description: str
    brand: RefOut | None
    category: RefOut | None
    breadcrumb: list[RefOut] = Field(description="Root category first, down to the category.")
    product_type: ProductTypeOut
    tags: list[RefOut]
    attributes: list[ProductAttributeOut]
    images: list[ImageOut]
    seo_title: str
    seo_description: str
    in_stock: bool
    variants: list[VariantOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_detail(cls, detail: object, **extra: object) -> "ProductDetailOut":
        """`extra`: the fields a subclass adds."""
        product = detail.product
        return cls.model_validate({
            "slug": product.slug, "title": product.title, "description": product.description,
            "brand": product.brand, "category": product.category,
            "breadcrumb": detail.breadcrumb, "product_type": product.product_type,
            "tags": list(product.tags.all()), "attributes": detail.attributes,
            "images": list(product.images.all()), "seo_title": detail.seo_title,
            "seo_description": detail.seo_description, "in_stock": detail.in_stock,
            "variants": detail.variants, "created_at": product.created_at,
            "updated_at": product.updated_at, **extra,
        })
