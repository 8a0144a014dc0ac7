"""Reads of the customers app, each with what its endpoint needs."""

from dataclasses import dataclass

from mercato.customers.errors import AddressNotFound
from mercato.customers.models import Address, User


def addresses_for_customer(*, customer: User) -> list[Address]:
    return list(Address.objects.filter(customer=customer).order_by("id"))


@dataclass(frozen=True)
class AddressBook:
    """A customer's addresses with the ones marked as their defaults (None if not marked)."""

    addresses: list[Address]
    default_shipping: Address | None
    default_billing: Address | None


def address_book_for_customer(*, customer: User) -> AddressBook:
    """The customer's addresses and their default shipping and billing address (one query)."""
    addresses = addresses_for_customer(customer=customer)
    return AddressBook(
        addresses=addresses,
        default_shipping=next((a for a in addresses if a.is_default_shipping), None),
        default_billing=next((a for a in addresses if a.is_default_billing), None))


def address_for_customer(*, customer: User, public_id: str) -> Address:
    """One of the customer's addresses; another customer's is 'not found', never 'forbidden'."""
    address = Address.objects.filter(customer=customer, public_id=public_id).first()
    if address is None:
        raise AddressNotFound("You have no address with this id.")
    return address
