"""Customer domain errors, each shown as a problem+json with its own type."""

from mercato.core.problems import Conflict, InvalidInput, NotAuthenticated, NotFound


class EmailTaken(Conflict):
    slug = "email-taken"
    title = "Email address already registered"


class WeakPassword(InvalidInput):
    slug = "weak-password"
    title = "Password too weak"


class InvalidCredentials(NotAuthenticated):
    slug = "invalid-credentials"
    title = "Invalid credentials"


class InvalidAddress(InvalidInput):
    slug = "invalid-address"
    title = "Invalid address"


class AddressNotFound(NotFound):
    slug = "address-not-found"
    title = "Address not found"
