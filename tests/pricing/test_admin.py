"""Back office pages of the pricing app render, and show what merchants look for."""

import pytest
from django.contrib import admin
from django.urls import reverse

from mercato.pricing.models import (
    Coupon,
    DeliveryMethod,
    DeliveryZone,
    Promotion,
    TaxClass,
    TaxRate,
)
from tests.pricing.factories import make_pricing_setup

PRICING_MODELS = [TaxClass, TaxRate, DeliveryMethod, DeliveryZone, Promotion, Coupon]
pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_pricing_model_is_in_the_back_office():
    assert set(PRICING_MODELS) <= set(admin.site._registry)


@pytest.mark.parametrize("model", PRICING_MODELS, ids=lambda model: model.__name__)
def test_changelist_and_change_page_render(staff_client, model):
    make_pricing_setup()

    listing = staff_client.get(admin_url(model, "changelist"))
    change = staff_client.get(admin_url(model, "change", model.objects.order_by("pk").first().pk))
    add = staff_client.get(admin_url(model, "add"))

    assert (listing.status_code, change.status_code, add.status_code) == (200, 200, 200)


@pytest.mark.parametrize("running", ["yes", "scheduled", "ended"])
def test_promotion_list_filters_by_schedule(staff_client, running):
    make_pricing_setup()

    response = staff_client.get(admin_url(Promotion, "changelist"), {"running": running})

    assert response.status_code == 200


def test_promotion_list_shows_usage_counted_from_the_ledger(staff_client):
    coupon = make_pricing_setup()["coupon"]

    response = staff_client.get(admin_url(Promotion, "changelist"))

    row = next(r for r in response.context["cl"].result_list if r.pk == coupon.promotion_id)
    assert row.usage_count == 1
    assert coupon.code.encode() in staff_client.get(
        admin_url(Promotion, "change", coupon.promotion_id)).content


def test_pricing_section_lists_its_models(staff_client):
    response = staff_client.get(reverse("admin:section", kwargs={"slug": "pricing"}))

    assert response.status_code == 200
    [section] = response.context["app_list"]
    assert [m["object_name"] for m in section["models"]] == [
        "TaxClass", "TaxRate", "DeliveryMethod", "DeliveryZone", "Promotion", "Coupon"]


def test_changelists_take_a_bounded_number_of_queries(staff_client, django_assert_max_num_queries):
    for country in ["DE", "AT", "FR"]:
        make_pricing_setup(country=country)

    for model in PRICING_MODELS:
        with django_assert_max_num_queries(8):
            assert staff_client.get(admin_url(model, "changelist")).status_code == 200


def _promotion_form(**fields: object) -> dict:
    data = {"name": "Summer sale", "kind": "percentage", "scope": "order", "is_active": "on",
            "percentage": "15", "currency": "", "priority": "0", "stacks": "on",
            "coupons-TOTAL_FORMS": "1", "coupons-INITIAL_FORMS": "0",
            "coupons-0-code": "SUMMER15", "coupons-0-usage_limit": "1",
            "coupons-0-is_active": "on"}
    data.update(fields)
    return data


def test_staff_add_a_promotion_with_a_coupon(staff_client):
    response = staff_client.post(admin_url(Promotion, "add"), _promotion_form())

    assert response.status_code == 302
    promotion = Promotion.objects.get(name="Summer sale")
    assert list(promotion.coupons.values_list("code", flat=True)) == ["SUMMER15"]


def test_a_promotion_that_breaks_a_rule_is_refused_with_a_message(staff_client):
    response = staff_client.post(admin_url(Promotion, "add"), _promotion_form(percentage=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Promotion.objects.exists()
