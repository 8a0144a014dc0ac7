"""Opaque public identifiers: customer data is never addressed by a guessable sequential id."""

import secrets


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def new_secret_token() -> str:
    return secrets.token_urlsafe(32)
