"""The simulated payment provider's pages (what PayPal's approval page or a bank's 3-D Secure
challenge would be): a button that tells the test gateway, then back to the shop."""

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from mercato.core.problems import Problem
from mercato.payments.gateways.test_gateway import TestGateway

provider = TestGateway()
DEFAULT_RETURN = "/checkout/review/"
# The test gateway's action URLs (its API paths or its pages): 3-D Secure, PayPal approval.
ACTION_PATH = re.compile(r"/(?:3ds/(?P<reference>[^/]+)(?:/complete)?|"
                         r"approvals?/(?P<token>[^/]+)(?:/approve)?)/?$")


def provider_page(action_url: str, *, back: str) -> str | None:
    """The simulated provider's page for the confirmation a payment waits for (an action URL
    of the test gateway), which sends the shopper `back`; None for another URL."""
    match = ACTION_PATH.search(action_url)
    query = urlencode({"return": back})
    if match is not None and match["reference"]:
        return f"/test-gateway/3ds/{match['reference']}/?{query}"
    if match is not None and match["token"]:
        return f"/test-gateway/approve/{match['token']}/?{query}"
    return None


def return_url(request: HttpRequest) -> str:
    """Where the shopper goes back to: a path of this site only."""
    url = request.POST.get("return") or request.GET.get("return") or DEFAULT_RETURN
    if not url_has_allowed_host_and_scheme(url, {request.get_host()},
                                           require_https=request.is_secure()):
        return DEFAULT_RETURN
    return url


def approve(request: HttpRequest, token: str) -> HttpResponse:
    """PayPal style: the shopper approves the payment (or cancels) and returns to the shop."""
    back = return_url(request)
    if request.method == "POST":
        if "cancel" in request.POST:
            messages.error(request, "You did not approve the payment: choose how to pay.")
            return redirect("/checkout/payment/" if back.startswith("/checkout/") else back)
        try:
            provider.approve(token)
        except Problem as problem:
            messages.error(request, problem.detail)
        return redirect(back)
    return render(request, "storefront/provider/approve.html", {"token": token, "back": back})


def three_d_secure(request: HttpRequest, reference: str) -> HttpResponse:
    """The bank's challenge: "Complete authentication", then back to place the order again."""
    back = return_url(request)
    if request.method == "POST":
        try:
            provider.complete_action(reference)
        except Problem as problem:
            messages.error(request, problem.detail)
        else:
            messages.success(request, "Authentication complete: place your order."
                             if back.startswith("/checkout/")
                             else "Authentication complete: now complete your payment.")
        return redirect(back)
    return render(request, "storefront/provider/3ds.html",
                  {"reference": reference, "back": back})
