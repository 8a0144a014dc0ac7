"""What the integrations add to the OpenAPI document: the webhooks the shop sends (its
`webhooks` section) and the schemas of the messages other systems post to it."""

from typing import Any

from mercato.integrations.incoming_schemas import openapi_components
from mercato.integrations.payloads import openapi_webhooks


def openapi_additions() -> tuple[dict[str, Any], dict[str, Any]]:
    """The `webhooks` section, and the component schemas it and the incoming endpoints use."""
    webhooks, components = openapi_webhooks()
    return webhooks, {**openapi_components(), **components}
