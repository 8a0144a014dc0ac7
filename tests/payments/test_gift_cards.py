import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from mercato.core.problems import Problem
from mercato.payments import errors
from mercato.payments.models import GiftCard, GiftCardMovement
from mercato.payments.services import (
    authorize_payment,
    capture_payment,
    create_payment,
    issue_gift_card,
    redeem_gift_card,
    refund_payment,
    restore_gift_card,
    void_payment,
)
from tests.payments.conftest import eur


def balance(card) -> Decimal:
    card.refresh_from_db()
    return card.balance


@pytest.fixture
def card(db):
    return issue_gift_card(code="gift-abc", amount=eur("50.00"))


@pytest.mark.django_db
def test_partial_redemption_lowers_the_balance_and_the_code_ignores_case(card):
    movement = redeem_gift_card(code="GIFT-ABC", amount=eur("20.00"), reference="ORD-1",
                                idempotency_key="r1")

    assert movement.amount == Decimal("-20.00")
    assert balance(card) == Decimal("30.00")


@pytest.mark.django_db
def test_redeeming_more_than_the_balance_is_refused_and_changes_nothing(card):
    redeem_gift_card(code="gift-abc", amount=eur("40.00"), reference="ORD-1",
                     idempotency_key="r1")

    with pytest.raises(errors.GiftCardInsufficientBalance) as error:
        redeem_gift_card(code="gift-abc", amount=eur("10.01"), reference="ORD-2",
                         idempotency_key="r2")

    assert error.value.status == 422
    assert balance(card) == Decimal("10.00")
    assert GiftCardMovement.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "problem"), [
    ({"is_active": False}, errors.GiftCardUnusable),
    ({"expires_at": timezone.now() - timedelta(minutes=1)}, errors.GiftCardUnusable),
    ({"code": "OTHER"}, errors.GiftCardNotFound),
    ({"currency": "USD"}, errors.CurrencyMismatch),
])
def test_unusable_gift_cards_are_refused_clearly(card, change, problem):
    GiftCard.objects.filter(pk=card.pk).update(**change)

    with pytest.raises(problem) as error:
        redeem_gift_card(code="gift-abc", amount=eur("1.00"), reference="ORD-1",
                         idempotency_key="r1")

    assert error.value.status == 422
    assert balance(card) == Decimal("50.00")


@pytest.mark.django_db
def test_a_redemption_retried_with_its_key_happens_once(card):
    first = redeem_gift_card(code="gift-abc", amount=eur("5.00"), reference="ORD-1",
                             idempotency_key="r1")
    again = redeem_gift_card(code="gift-abc", amount=eur("5.00"), reference="ORD-1",
                             idempotency_key="r1")

    assert again.pk == first.pk and balance(card) == Decimal("45.00")
    with pytest.raises(errors.IdempotencyKeyReused):
        redeem_gift_card(code="gift-abc", amount=eur("6.00"), reference="ORD-1",
                         idempotency_key="r1")


@pytest.mark.django_db
def test_restore_gives_back_at_most_what_the_reference_took(card):
    redeem_gift_card(code="gift-abc", amount=eur("20.00"), reference="ORD-1",
                     idempotency_key="r1")

    restore_gift_card(code="gift-abc", amount=eur("15.00"), reference="ORD-1",
                      idempotency_key="back1")
    assert balance(card) == Decimal("45.00")
    with pytest.raises(errors.AmountNotAllowed):
        restore_gift_card(code="gift-abc", amount=eur("5.01"), reference="ORD-1",
                          idempotency_key="back2")

    assert balance(card) == Decimal("45.00")


@pytest.mark.django_db
def test_a_code_is_issued_once_whatever_its_case(card):
    with pytest.raises(errors.GiftCardCodeTaken):
        issue_gift_card(code="GIFT-ABC", amount=eur("10.00"))

    assert GiftCard.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_orders_racing_on_one_gift_card_cannot_take_more_than_its_balance():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    card = issue_gift_card(code="RACE", amount=eur("50.00"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def buy(n: int) -> None:
        barrier.wait()
        try:
            redeem_gift_card(code="RACE", amount=eur("30.00"), reference=f"ORD-{n}",
                             idempotency_key=f"race-{n}")
            outcomes.append("ok")
        except Problem as problem:
            outcomes.append(problem.slug)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["gift-card-insufficient-balance", "ok"]
    assert balance(card) == Decimal("20.00")
    assert GiftCardMovement.objects.count() == 1


@pytest.mark.django_db
def test_split_payment_gift_card_part_then_card_part(card, card_token):
    gift = create_payment(reference="ORD-5", method="gift_card", amount=eur("20.00"))
    rest = create_payment(reference="ORD-5", method="card", amount=eur("80.00"))

    authorize_payment(payment_id=gift.public_id, token="gift-abc", idempotency_key="g1")
    authorize_payment(payment_id=rest.public_id, token=card_token(), idempotency_key="c1")
    assert balance(card) == Decimal("30.00")
    capture_payment(payment_id=gift.public_id, idempotency_key="g2")
    refund_payment(payment_id=gift.public_id, amount=eur("5.00"), idempotency_key="g3")
    gift.refresh_from_db()
    rest.refresh_from_db()

    assert (gift.status, rest.status) == ("PartiallyRefunded", "Authorized")
    assert balance(card) == Decimal("35.00")
    other = create_payment(reference="ORD-6", method="gift_card", amount=eur("10.00"))
    authorize_payment(payment_id=other.public_id, token="GIFT-ABC", idempotency_key="o1")
    void_payment(payment_id=other.public_id, idempotency_key="o2")
    other.refresh_from_db()
    assert other.status == "Voided" and balance(card) == Decimal("35.00")


@pytest.mark.django_db
def test_a_gift_card_payment_above_the_balance_fails_and_takes_nothing(card):
    payment = create_payment(reference="ORD-5", method="gift_card", amount=eur("60.00"))

    txn = authorize_payment(payment_id=payment.public_id, token="gift-abc",
                            idempotency_key="g1")
    payment.refresh_from_db()

    assert not txn.succeeded and txn.error_code == "gift-card-insufficient-balance"
    assert payment.status == "Failed" and balance(card) == Decimal("50.00")
