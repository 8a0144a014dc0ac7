"""Where a webhook may go: public addresses only, and the address checked is the one used."""

import pytest

from mercato.integrations.rules import is_public_address, webhook_types_of
from mercato.integrations.services.urls import pinned
from mercato.orders.events import OrderHoldReleased, OrderPaymentCaptured


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "::1", "fe80::1%eth0", "fc00::1", "::ffff:127.0.0.1",
    "2002:7f00:1::", "64:ff9b::7f00:1", "::7f00:1", "2001:0:4136:e378::1",
])
def test_addresses_of_the_shops_own_network_or_tunnels_to_it_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are(address):
    assert is_public_address(address)


def test_a_send_connects_to_the_checked_address_with_the_urls_host_and_tls_name():
    target = pinned("https://oms.example.com:8443/hooks?x=1", ["93.184.215.14"])
    assert target.url == "https://93.184.215.14:8443/hooks?x=1"
    assert target.headers == {"host": "oms.example.com:8443"}
    assert target.extensions == {"sni_hostname": "oms.example.com"}
    v6 = pinned("http://oms.example.com/hooks", ["2606:4700:4700::1111"])
    assert (v6.url, v6.headers, v6.extensions) == (
        "http://[2606:4700:4700::1111]/hooks", {"host": "oms.example.com"}, {})
    assert pinned("http://127.0.0.1:9000/", []).url == "http://127.0.0.1:9000/"


def test_status_moves_and_payment_changes_are_order_updated_a_failed_call_nothing():
    moved = OrderHoldReleased(aggregate_id="o", number="MRC-1", old_status="OnHold",
                              new_status="InProgress", reason="")
    assert webhook_types_of(moved) == ("order.updated",)
    captured = OrderPaymentCaptured(aggregate_id="o", number="MRC-1", payment_id="p",
                                    method="card", amount=1, currency="EUR", succeeded=True,
                                    error_code="")
    assert webhook_types_of(captured) == ("order.updated",)
    assert webhook_types_of(OrderPaymentCaptured(**{**captured.__dict__, "succeeded": False})) == ()
