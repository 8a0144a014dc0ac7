"""Facts the customers app records; every one is about a customer (aggregate = its public id).

Payloads carry ids and flags, not personal data: a handler that needs the email or the address
reads it from the database, so erasing a customer does not leave copies in the event table.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class CustomerEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "customer"


@dataclass(frozen=True)
class CustomerRegistered(CustomerEvent):
    marketing_consent: bool


@dataclass(frozen=True)
class CustomerProfileChanged(CustomerEvent):
    changed_fields: str  # comma-separated field names


@dataclass(frozen=True)
class MarketingConsentChanged(CustomerEvent):
    marketing_consent: bool


@dataclass(frozen=True)
class ApiTokenIssued(CustomerEvent):
    token_prefix: str
    name: str
    expires_at: datetime


@dataclass(frozen=True)
class ApiTokenRevoked(CustomerEvent):
    token_prefix: str


@dataclass(frozen=True)
class AddressAdded(CustomerEvent):
    address_id: str


@dataclass(frozen=True)
class AddressChanged(CustomerEvent):
    address_id: str


@dataclass(frozen=True)
class AddressRemoved(CustomerEvent):
    address_id: str
