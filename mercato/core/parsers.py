"""How the API reads a JSON request body."""

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


class ObjectBodyParser(Parser):
    """Every operation's body is a JSON object. Anything else (`null`, `[null, null]`, `"x"`, `5`)
    is refused as unparseable (400), rather than read as if no body had been sent."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data
