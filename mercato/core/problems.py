"""Domain errors as RFC 9457 problem details; one handler turns them into responses."""

from typing import Any, ClassVar

PROBLEM_BASE = "https://mercato.dev/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """A domain error that the API shows as problem+json and the storefront as a message."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type, "title": self.title, "status": self.status, "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        # Extensions never replace the standard members (a "status" extra would hide the
        # HTTP status clients read from the body).
        body.update((key, value) for key, value in self.extra.items() if key not in body)
        return body


class UnparseableBody(Problem):
    """The body is not what its Content-Type says (as ninja answers a JSON body it cannot
    parse: 400, about:blank)."""

    status = 400
    slug = "about:blank"
    title = "Cannot parse request body"

    @property
    def type(self) -> str:
        return self.slug


class NotFound(Problem):
    status = 404
    slug = "not-found"
    title = "Not found"


class InvalidInput(Problem):
    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class Conflict(Problem):
    status = 409
    slug = "conflict"
    title = "Conflict"


class NotAuthenticated(Problem):
    status = 401
    slug = "not-authenticated"
    title = "Not authenticated"


class PermissionDenied(Problem):
    status = 403
    slug = "permission-denied"
    title = "Permission denied"


class PayloadTooLarge(Problem):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class TooManyRequests(Problem):
    """Too many attempts: try again after the number of seconds in Retry-After."""

    status = 429
    slug = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after
