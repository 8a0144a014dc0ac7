from decimal import Decimal

import pytest
from django.urls import reverse

from mercato.core.models import Event
from mercato.payments.models import GiftCard
from mercato.payments.services import capture_payment, issue_gift_card, redeem_gift_card
from tests.factories import UserFactory
from tests.payments.conftest import eur


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_payment_pages_show_the_transactions_read_only(staff_client, authorized):
    capture_payment(payment_id=authorized.public_id, amount=eur("40.00"), idempotency_key="c")

    listing = staff_client.get(reverse("admin:payments_payment_changelist"), {"q": "ORD"})
    page = staff_client.get(reverse("admin:payments_payment_change", args=[authorized.pk]))

    assert listing.status_code == 200 and authorized.reference in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "capture" in html and "€40.00" in html and "Captured" in html
    assert staff_client.get(reverse("admin:payments_payment_add")).status_code == 403


@pytest.mark.django_db
def test_staff_issue_a_gift_card(staff_client):
    response = staff_client.post(reverse("admin:payments_giftcard_add"), {
        "code": "welcome-25", "currency": "EUR", "initial_balance": "25.00",
        "expires_at_0": "2030-01-01", "expires_at_1": "00:00:00",
    })

    assert response.status_code == 302
    card = GiftCard.objects.get()
    assert (card.code, card.balance, card.currency) == ("WELCOME-25", Decimal("25.00"), "EUR")
    assert Event.objects.get(type="GiftCardIssued").actor == "staff:boss@example.com"


@pytest.mark.django_db
def test_gift_card_pages_render_with_their_movements(staff_client):
    card = issue_gift_card(code="GIFT-1234", amount=eur("50.00"))
    redeem_gift_card(code="GIFT-1234", amount=eur("20.00"), reference="ORD-7",
                     idempotency_key="r1")

    listing = staff_client.get(reverse("admin:payments_giftcard_changelist"), {"q": "a"})
    page = staff_client.get(reverse("admin:payments_giftcard_change", args=[card.pk]))

    assert listing.status_code == 200
    assert page.status_code == 200 and "ORD-7" in page.content.decode()
    assert "€30.00" in page.content.decode()


@pytest.mark.django_db
def test_payments_section_lists_payments_and_gift_cards(staff_client):
    response = staff_client.get(reverse("admin:index"))

    section = next(app for app in response.context["app_list"] if app["name"] == "Payments")
    assert [m["object_name"] for m in section["models"]] == ["Payment", "GiftCard"]


@pytest.mark.django_db
def test_staff_deactivate_a_gift_card_without_touching_its_balance(staff_client):
    card = issue_gift_card(code="GIFT-1234", amount=eur("50.00"))

    response = staff_client.post(reverse("admin:payments_giftcard_change", args=[card.pk]),
                                 {"expires_at_0": "", "expires_at_1": "",
                                  "movements-TOTAL_FORMS": "0",
                                  "movements-INITIAL_FORMS": "0"})

    assert response.status_code == 302
    card.refresh_from_db()
    assert not card.is_active and card.balance == Decimal("50.00")
