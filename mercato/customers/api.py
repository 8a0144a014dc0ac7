"""Customer accounts over REST: registration, login (session or bearer token), profile, addresses.

CSRF: register, login and token creation take no cookie credentials, so they are CSRF-exempt
(django-ninja views are). Login CSRF (an attacker's page logging the shopper into the attacker's
account) is accepted here because `login()` rotates the session and CSRF token and the storefront
shows who is logged in. Every write authenticated by the session cookie (logout, /me, addresses)
must send the X-CSRFToken header: `customer_from_request` enforces it; bearer-token calls need not.
"""

from django.contrib.auth import login, logout
from django.http import HttpRequest
from ninja import Router

from mercato.core import throttle
from mercato.core.openapi import PERMISSION_DENIED, TOO_MANY_REQUESTS, answers
from mercato.customers import selectors, services
from mercato.customers.auth import (
    bearer_auth,
    bearer_token,
    customer_auth,
    customer_for_login,
    enforce_csrf_for_cookies,
    note_token_login,
)
from mercato.customers.errors import (
    AddressNotFound,
    EmailTaken,
    InvalidAddress,
    InvalidCredentials,
    WeakPassword,
)
from mercato.customers.models import Address, User
from mercato.customers.schemas import (
    AddressIn,
    AddressOut,
    AddressPatchIn,
    CredentialsIn,
    CustomerOut,
    CustomerPatchIn,
    RegisterIn,
    TokenIn,
    TokenOut,
)

router = Router()


@router.post("/auth/register", response={201: CustomerOut}, tags=["auth"])
@answers(EmailTaken, WeakPassword, TOO_MANY_REQUESTS)
def register(request: HttpRequest, payload: RegisterIn) -> tuple[int, User]:
    """Open a customer account (does not log in)."""
    throttle.check("register", request)
    return 201, services.register_customer(**payload.model_dump())


@router.post("/auth/login", response=CustomerOut, tags=["auth"])
@answers(InvalidCredentials, TOO_MANY_REQUESTS)
def log_in(request: HttpRequest, payload: CredentialsIn) -> User:
    """Start a session for the storefront (cookie); API clients create a token instead."""
    customer = customer_for_login(request, email=payload.email,
                                  password=payload.password)
    login(request, customer)
    return customer


@router.post("/auth/logout", response={204: None}, tags=["auth"])
@answers(PERMISSION_DENIED)
def log_out(request: HttpRequest) -> tuple[int, None]:
    """End the session; like any cookie-authenticated write it needs the CSRF token."""
    if request.user.is_authenticated:
        enforce_csrf_for_cookies(request)
    logout(request)
    return 204, None


@router.post("/auth/tokens", response={201: TokenOut}, tags=["auth"])
@answers(InvalidCredentials, TOO_MANY_REQUESTS)
def create_token(request: HttpRequest, payload: TokenIn) -> tuple[int, dict]:
    """A bearer token for API clients, shown only in this response."""
    customer = customer_for_login(request, email=payload.email,
                                  password=payload.password)
    token, api_token = services.issue_api_token(customer=customer, name=payload.name)
    note_token_login(request, customer)
    return 201, {"token": token, "expires_at": api_token.expires_at}


@router.delete("/auth/tokens/current", response={204: None}, auth=bearer_auth, tags=["auth"])
def revoke_current_token(request: HttpRequest) -> tuple[int, None]:
    """Revoke the bearer token this request was sent with."""
    services.revoke_api_token(customer=request.auth, token=bearer_token(request) or "")
    return 204, None


@router.get("/me", response=CustomerOut, auth=customer_auth, tags=["account"])
def show_me(request: HttpRequest) -> User:
    return request.auth


@router.patch("/me", response=CustomerOut, auth=customer_auth, tags=["account"])
def update_me(request: HttpRequest, payload: CustomerPatchIn) -> User:
    changes = payload.model_dump(exclude_unset=True)
    return services.update_customer_profile(customer=request.auth, changes=changes)


@router.get("/me/addresses", response=list[AddressOut], auth=customer_auth, tags=["account"])
def list_addresses(request: HttpRequest) -> list[Address]:
    return selectors.addresses_for_customer(customer=request.auth)


@router.post("/me/addresses", response={201: AddressOut}, auth=customer_auth, tags=["account"])
@answers(InvalidAddress)
def add_address(request: HttpRequest, payload: AddressIn) -> tuple[int, Address]:
    return 201, services.add_address(customer=request.auth, data=payload.model_dump())


@router.get("/me/addresses/{public_id}", response=AddressOut, auth=customer_auth,
            tags=["account"])
@answers(AddressNotFound)
def show_address(request: HttpRequest, public_id: str) -> Address:
    return selectors.address_for_customer(customer=request.auth, public_id=public_id)


@router.patch("/me/addresses/{public_id}", response=AddressOut, auth=customer_auth,
              tags=["account"])
@answers(AddressNotFound, InvalidAddress)
def change_address(request: HttpRequest, public_id: str, payload: AddressPatchIn) -> Address:
    changes = payload.model_dump(exclude_unset=True)
    return services.change_address(customer=request.auth, public_id=public_id, changes=changes)


@router.delete("/me/addresses/{public_id}", response={204: None}, auth=customer_auth,
               tags=["account"])
@answers(AddressNotFound)
def remove_address(request: HttpRequest, public_id: str) -> tuple[int, None]:
    services.remove_address(customer=request.auth, public_id=public_id)
    return 204, None
