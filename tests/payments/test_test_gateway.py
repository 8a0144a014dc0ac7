"""The test provider keeps its state in its own tables: every process sees the same provider."""

import sys
import threading

import pytest
from django.db import connection
from django.views.debug import ExceptionReporter

from mercato.payments.errors import InvalidCard
from mercato.payments.gateways.test_gateway import TestGateway
from mercato.payments.models import TestGatewayCharge, TestGatewayIdempotency
from tests.payments.conftest import VISA, eur

MISTYPED = "4242 4242 4242 4241"  # a constant: a local would show in the test's own frame


def in_another_thread(call):
    """Run `call` on its own database connection, as another process would."""
    outcome = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as error:  # handed back to the test's thread
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.django_db(transaction=True)
def test_a_token_made_in_one_process_is_charged_from_another():
    token = TestGateway().tokenize_card(VISA, 12, 2030, "123")

    result = in_another_thread(lambda: TestGateway().authorize(eur("10.00"), token, "k1"))

    assert result.succeeded
    charge = TestGatewayCharge.objects.get(reference=result.provider_reference)
    assert (charge.amount, charge.currency, charge.stage) == (10, "EUR", "authorized")


@pytest.mark.django_db(transaction=True)
def test_a_charge_authorized_in_one_process_is_captured_and_refunded_from_another():
    token = TestGateway().tokenize_card(VISA, 12, 2030, "123")
    reference = TestGateway().authorize(eur("10.00"), token, "k1").provider_reference

    captured = in_another_thread(lambda: TestGateway().capture(reference, eur("10.00"), "k2"))
    refunded = TestGateway().refund(reference, eur("4.00"), "k3")
    too_much = in_another_thread(lambda: TestGateway().refund(reference, eur("6.01"), "k4"))

    assert captured.succeeded and refunded.succeeded
    assert too_much.error_code == "invalid_refund"
    charge = TestGatewayCharge.objects.get(reference=reference)
    assert (charge.stage, charge.captured, charge.refunded) == ("captured", 10, 4)


@pytest.mark.django_db(transaction=True)
def test_an_idempotency_key_is_remembered_across_processes():
    token = TestGateway().tokenize_card(VISA, 12, 2030, "123")
    first = TestGateway().authorize(eur("10.00"), token, "same")

    again = in_another_thread(lambda: TestGateway().authorize(eur("10.00"), token, "same"))
    other = in_another_thread(lambda: TestGateway().authorize(eur("11.00"), token, "same"))

    assert again == first
    assert other.error_code == "idempotency_error"
    assert TestGatewayCharge.objects.count() == 1


@pytest.mark.django_db
def test_the_same_amount_spelled_differently_is_the_same_request(gateway, card_token):
    token = card_token()
    first = gateway.authorize(eur("10"), token, "same")

    assert gateway.authorize(eur("10.0000"), token, "same") == first


@pytest.mark.django_db
def test_a_refused_call_is_remembered_too(gateway, card_token):
    first = gateway.capture("ch_unknown", eur("1.00"), "cap")

    assert first.error_code == "invalid_capture"
    assert gateway.capture("ch_unknown", eur("1.00"), "cap") == first
    assert TestGatewayIdempotency.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_processes_racing_with_one_key_make_one_charge():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    token = TestGateway().tokenize_card(VISA, 12, 2030, "123")
    barrier = threading.Barrier(4)
    results = []

    def charge() -> None:
        barrier.wait()
        try:
            results.append(TestGateway().authorize(eur("10.00"), token, "race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=charge) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 4 and len(set(results)) == 1 and results[0].succeeded
    assert TestGatewayCharge.objects.count() == 1
    assert TestGatewayIdempotency.objects.count() == 1


def test_an_error_report_never_shows_the_card_number(rf, settings):
    settings.DEBUG = False  # reports sent to admins and logs; DEBUG pages show everything
    request = rf.post("/api/v1/test-gateway/tokens")
    try:
        TestGateway().tokenize_card(MISTYPED, 12, 2030, "123")
    except InvalidCard:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()

    assert "create_card_token" in report
    assert MISTYPED not in report and MISTYPED.replace(" ", "") not in report
