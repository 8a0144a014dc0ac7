"""Every limited endpoint documents its 429 answer with the Retry-After header."""

import pytest

from mercato.api import api

LIMITED = ["/auth/login", "/auth/tokens", "/auth/register", "/orders/lookup", "/returns/guest",
           "/returns/lookup", "/returns/lookup/payment", "/returns/lookup/instructions",
           "/cart/coupons"]


@pytest.mark.parametrize("path", LIMITED)
def test_limited_endpoints_document_429_with_retry_after(path):
    responses = api.get_openapi_schema()["paths"][f"/api/v1{path}"]["post"]["responses"]

    assert "Retry-After" in responses[429]["headers"]
    examples = responses[429]["content"]["application/problem+json"]["examples"]
    assert "too-many-requests" in examples
