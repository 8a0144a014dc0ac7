from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from mercato.core.money import Money

MONEY_DIGITS = {"max_digits": 14, "decimal_places": 4}


class Category(models.Model):
    """A node of the category tree; a product belongs to one category and is found under its
    ancestors too."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    seo_title = models.CharField(max_length=160, blank=True)
    seo_description = models.CharField(max_length=320, blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductType(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    is_shipping_required = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    """Vendor or brand shown with the product."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """A named property (Colour, Size, Material); variant options are attributes too."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attribute_id", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "slug"], name="attribute_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.attribute.name}: {self.name}"


class Product(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    product_type = models.ForeignKey(ProductType, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    attribute_values = models.ManyToManyField(
        AttributeValue, blank=True, related_name="products",
        help_text="Descriptive attributes of the whole product (material, fit, ...).",
    )
    is_published = models.BooleanField(default=True, db_index=True)
    seo_title = models.CharField(max_length=160, blank=True)
    seo_description = models.CharField(max_length=320, blank=True)
    # Plain text of title, brand, category, tags and description: what search looks in.
    search_document = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["is_published", "category"])]

    def __str__(self) -> str:
        return self.title


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    url = models.CharField(max_length=500, help_text="Absolute URL or a path under /media/.")
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.url


class ProductVariant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    option_values = models.ManyToManyField(AttributeValue, blank=True, related_name="variants")
    weight_grams = models.PositiveIntegerField(default=0)
    barcode = models.CharField(max_length=32, blank=True)
    position = models.PositiveIntegerField(default=0)
    allow_backorder = models.BooleanField(
        default=False, help_text="Sell it when out of stock: the order waits for the stock "
                                 "(its shipment is AwaitingInventory until stock arrives).")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}".strip()


class VariantPrice(models.Model):
    """The selling price of a variant in one currency, with an optional compare-at price."""

    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY_DIGITS)
    compare_at_amount = models.DecimalField(**MONEY_DIGITS, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "currency"], name="variant_price_unique"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal(0)),
                                   name="variant_price_not_negative"),
        ]
        indexes = [models.Index(fields=["currency", "amount"])]

    def __str__(self) -> str:
        return f"{self.variant_id} {self.amount} {self.currency}"

    @property
    def price(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def compare_at(self) -> Money | None:
        if self.compare_at_amount is None:
            return None
        return Money(self.compare_at_amount, self.currency)


class ProductListing(models.Model):
    """Read model of the product listing: one row per product and currency it is priced in.

    Written only by catalog.services.refresh_listings, from the product, its variants' prices
    (the cheapest in the currency) and their stock; the listing filters, counts and sorts these
    rows instead of computing every product's price and stock on each request.
    """

    # The unique (product, currency) constraint indexes product_id first: no index of its own.
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings",
                                db_index=False)
    currency = models.CharField(max_length=3)
    price_amount = models.DecimalField(**MONEY_DIGITS)
    compare_at_amount = models.DecimalField(**MONEY_DIGITS, null=True, blank=True)
    in_stock = models.BooleanField()
    is_published = models.BooleanField()
    # SET_NULL like the product's own keys, so deleting a category or brand keeps rows in step.
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", db_index=False)
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    created_at = models.DateTimeField()
    title_sort = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "currency"], name="product_listing_unique"),
        ]
        # One index per sort order and per facet, over published rows only: the listing reads
        # nothing else. Partial, because SQLite cannot seek on a bare boolean column; ending
        # with is_published all the same, because SQLite counts an index as covering a query
        # only if it holds every column the query names.
        indexes = [
            models.Index(fields=["currency", *fields, "is_published"], name=name,
                         condition=Q(is_published=True))
            for name, fields in [
                ("listing_newest", ["created_at", "product"]),
                ("listing_price", ["price_amount"]),
                ("listing_title", ["title_sort"]),
                ("listing_category", ["category"]),
                ("listing_brand", ["brand"]),
            ]
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.price_amount} {self.currency}"


class ProductListingValue(models.Model):
    """Read model: an attribute value a product has, on itself or on any of its variants, once.

    Written only by catalog.services.refresh_listings; the listing's attribute filters and
    facets read these pairs instead of joining two many-to-many tables and variants.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE,
                                related_name="listing_values", db_index=False)
    value = models.ForeignKey(AttributeValue, on_delete=models.CASCADE, related_name="+",
                              db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "value"],
                                    name="product_listing_value_unique"),
        ]
        indexes = [models.Index(fields=["value", "product"], name="listing_value_products")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.value_id}"
