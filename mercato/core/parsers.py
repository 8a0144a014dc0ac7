"""How the API reads a JSON request body."""

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


class ObjectBodyParser(Parser):
    """Every operation's body is a JSON object, or `null` where the body is optional. Anything
    else (`[null, null]`, `"x"`, `5`) is refused as unparseable (400), rather than read as if no
    body had been sent."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if data is not None and not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data
