"""Use cases of the customers app: one public function = one transaction = recorded events."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mercato.core.events import Actor, record
from mercato.core.ids import new_secret_token
from mercato.customers.errors import AddressNotFound, EmailTaken, WeakPassword
from mercato.customers.events import (
    AddressAdded,
    AddressChanged,
    AddressRemoved,
    ApiTokenIssued,
    ApiTokenRevoked,
    CustomerProfileChanged,
    CustomerRegistered,
    MarketingConsentChanged,
)
from mercato.customers.models import Address, ApiToken, User
from mercato.customers.rules import ADDRESS_FIELDS, token_digest, validate_address

DEFAULT_FLAGS = ("is_default_shipping", "is_default_billing")
PROFILE_FIELDS = ("first_name", "last_name", "marketing_consent")
EMAIL_TAKEN = "An account with this email address already exists: log in instead."


def actor_for(customer: User) -> Actor:
    return Actor("customer", customer.email)


def register_customer(*, email: str, password: str, first_name: str, last_name: str,
                      marketing_consent: bool = False) -> User:
    """Open a customer account; the password must pass the configured password validators."""
    email = email.strip().lower()
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise WeakPassword("Choose a stronger password.",
                           errors={"password": list(error.messages)}) from error
    try:
        with transaction.atomic():
            if User.objects.filter(email=email).exists():
                raise EmailTaken(EMAIL_TAKEN)
            user = User.objects.create_user(
                email, password, first_name=first_name, last_name=last_name,
                marketing_consent=marketing_consent,
            )
            record(CustomerRegistered(aggregate_id=user.public_id,
                                      marketing_consent=marketing_consent), by=actor_for(user))
    except IntegrityError as error:  # a concurrent registration with the same email won
        raise EmailTaken(EMAIL_TAKEN) from error
    return user


def update_customer_profile(*, customer: User, changes: dict[str, Any]) -> User:
    """Change the customer's names and marketing consent; only the fields given."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=customer.pk)
        changed = [field for field in PROFILE_FIELDS
                   if field in changes and getattr(user, field) != changes[field]]
        if not changed:
            return user
        for field in changed:
            setattr(user, field, changes[field])
        user.save(update_fields=changed)
        record(CustomerProfileChanged(aggregate_id=user.public_id,
                                      changed_fields=",".join(changed)), by=actor_for(user))
        if "marketing_consent" in changed:
            record(MarketingConsentChanged(aggregate_id=user.public_id,
                                           marketing_consent=user.marketing_consent),
                   by=actor_for(user))
    return user


def issue_api_token(*, customer: User, name: str = "") -> tuple[str, ApiToken]:
    """A new bearer token for API clients: returned once in plain, stored as its digest."""
    token = new_secret_token()
    expires_at: datetime = timezone.now() + settings.MERCATO_API_TOKEN_TTL
    with transaction.atomic():
        api_token = ApiToken.objects.create(
            user=customer, digest=token_digest(token), prefix=token[:8], name=name,
            expires_at=expires_at,
        )
        record(ApiTokenIssued(aggregate_id=customer.public_id, token_prefix=api_token.prefix,
                              name=name, expires_at=expires_at), by=actor_for(customer))
    return token, api_token


def revoke_api_token(*, customer: User, token: str) -> None:
    """Delete the customer's bearer token `token`; revoking an unknown token changes nothing."""
    with transaction.atomic():
        api_token = ApiToken.objects.filter(user=customer, digest=token_digest(token)).first()
        if api_token is None:
            return
        api_token.delete()
        record(ApiTokenRevoked(aggregate_id=customer.public_id, token_prefix=api_token.prefix),
               by=actor_for(customer))


def add_address(*, customer: User, data: dict[str, Any]) -> Address:
    """Add a validated, normalised address to the customer's address book."""
    fields = validate_address(data)
    flags = {flag: bool(data.get(flag, False)) for flag in DEFAULT_FLAGS}
    with transaction.atomic():
        lock_address_book(customer)
        clear_other_defaults(customer=customer, flags=flags)
        address = Address.objects.create(customer=customer, **fields, **flags)
        record(AddressAdded(aggregate_id=customer.public_id, address_id=address.public_id),
               by=actor_for(customer))
    return address


def change_address(*, customer: User, public_id: str, changes: dict[str, Any]) -> Address:
    """Change some fields of one of the customer's addresses; the result is validated whole."""
    with transaction.atomic():
        lock_address_book(customer)
        address = Address.objects.filter(customer=customer, public_id=public_id).first()
        if address is None:
            raise AddressNotFound("You have no address with this id.")
        current = {field: getattr(address, field) for field in ADDRESS_FIELDS}
        current["country"] = address.country.code
        wanted = validate_address({**current, **changes})
        wanted.update({flag: bool(changes[flag]) for flag in DEFAULT_FLAGS if flag in changes})
        changed = [field for field, value in wanted.items() if getattr(address, field) != value]
        if not changed:
            return address
        clear_other_defaults(customer=customer, flags=wanted, keep=address)
        for field in changed:
            setattr(address, field, wanted[field])
        address.save(update_fields=changed)
        record(AddressChanged(aggregate_id=customer.public_id, address_id=address.public_id),
               by=actor_for(customer))
    return address


def remove_address(*, customer: User, public_id: str) -> None:
    """Delete one of the customer's addresses."""
    with transaction.atomic():
        lock_address_book(customer)
        deleted, _ = Address.objects.filter(customer=customer, public_id=public_id).delete()
        if not deleted:
            raise AddressNotFound("You have no address with this id.")
        record(AddressRemoved(aggregate_id=customer.public_id, address_id=public_id),
               by=actor_for(customer))


def lock_address_book(customer: User) -> None:
    """Serialise changes to one customer's addresses, so two defaults can never both win."""
    list(User.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))


def clear_other_defaults(*, customer: User, flags: dict[str, Any],
                         keep: Address | None = None) -> None:
    """Unset each default flag that `flags` sets on the customer's other addresses."""
    for flag in DEFAULT_FLAGS:
        if flags.get(flag):
            others = Address.objects.filter(customer=customer, **{flag: True})
            if keep is not None:
                others = others.exclude(pk=keep.pk)
            others.update(**{flag: False})
