"""/api/v1/webhook-subscriptions: staff bearer tokens with the back office's permissions; the
secret shown once; target URLs on the shop's own network refused; rotate, replay, the log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mercato.core.models import Event
from mercato.fulfilment.roles import ADMINISTRATOR, CUSTOMER_SERVICE
from mercato.integrations.models import WebhookSubscription
from tests.factories import ApiTokenFactory, UserFactory
from tests.fulfilment.test_api import assert_problem, bearer, token_for
from tests.integrations.receiver import Receiver
from tests.orders.builders import make_quote, place
from tests.outbox import deliver_all

pytestmark = pytest.mark.django_db

ALL = ("integrations.view_webhooksubscription", "integrations.add_webhooksubscription",
       "integrations.change_webhooksubscription", "integrations.delete_webhooksubscription")
PUBLIC_URL = "https://93.184.215.14/hooks"  # an address literal: no DNS needed


@pytest.fixture
def staff():
    return bearer(token_for(permissions=ALL))


def create(api, staff, **fields):
    body = {"url": PUBLIC_URL, "events": ["order.created"], "description": "OMS", **fields}
    return api.post("/webhook-subscriptions", body, **staff)


def test_creating_answers_the_id_and_the_secret_once(api, staff):
    response = create(api, staff)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["active"] is True
    assert body["events"] == ["order.created"] and body["url"] == PUBLIC_URL
    shown = api.get(f"/webhook-subscriptions/{body['id']}", **staff).json()
    assert "secret" not in shown and shown["id"] == body["id"]
    assert [item["id"] for item in api.get("/webhook-subscriptions", **staff).json()["items"]
            ] == [body["id"]]
    assert Event.objects.filter(type="WebhookSubscriptionChanged").count() == 1


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9000/hooks", "http://localhost/hooks", "http://[::1]/hooks",
    "http://10.1.2.3/hooks", "http://192.168.0.10/hooks", "http://172.16.5.4/hooks",
    "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/hooks", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/hooks", "http://[fe80::1]/hooks",
])
def test_a_url_on_the_shops_own_network_is_refused(api, staff, url):
    body = assert_problem(create(api, staff, url=url), 422)
    assert body["type"].endswith("invalid-webhook-url")
    assert WebhookSubscription.objects.count() == 0


def test_private_urls_are_allowed_when_the_setting_says_so(api, staff, settings):
    settings.MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    assert create(api, staff, url="http://127.0.0.1:9000/hooks").status_code == 201


@pytest.mark.parametrize("fields", [
    {"events": ["order.shipped"]}, {"events": []}, {"url": "ftp://93.184.215.14/x"},
    {"url": "not a url"}, {"description": "x" * 201},
    {"url": "https://93.184.215.14/" + "a" * 2000},
])
def test_bad_input_is_a_422_and_changes_nothing(api, staff, fields):
    assert_problem(create(api, staff, **fields), 422)
    assert WebhookSubscription.objects.count() == 0


def test_callers_need_a_staff_token_and_the_permission(api):
    assert_problem(create(api, {}), 401)
    customer = UserFactory()
    ApiTokenFactory(user=customer, token="customer-token-abcdefghijklmnopqrstuv")
    assert_problem(create(api, bearer("customer-token-abcdefghijklmnopqrstuv")), 403)
    viewer = bearer(token_for(permissions=ALL[:1]))
    assert api.get("/webhook-subscriptions", **viewer).status_code == 200
    body = assert_problem(create(api, viewer), 403)
    assert body["missing_permissions"] == ["integrations.add_webhooksubscription"]


def test_change_switch_off_and_delete(api, staff):
    made = create(api, staff).json()
    path = f"/webhook-subscriptions/{made['id']}"
    changed = api.patch(path, {"events": ["order.created", "shipment.shipped"],
                               "active": False}, **staff)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["events"], changed.json()["active"]) == (
        ["order.created", "shipment.shipped"], False)
    assert_problem(api.patch(path, {"url": "http://10.0.0.1/"}, **staff), 422)
    assert api.delete(path, **staff).status_code == 204
    assert_problem(api.get(path, **staff), 404)


def test_rotation_answers_a_new_secret_and_keeps_the_old_one_for_the_grace(api, staff):
    made = create(api, staff).json()
    rotated = api.post(f"/webhook-subscriptions/{made['id']}/rotate-secret", **staff).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != made["secret"]
    subscription = WebhookSubscription.objects.get()
    assert subscription.previous_secret == made["secret"]
    assert subscription.previous_secret_expires_at > timezone.now() + timedelta(hours=23)


def test_replay_and_the_delivery_log(api, staff, settings):
    settings.MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    receiver = Receiver().start()
    try:
        receiver.answers = [500]
        place(make_quote())
        deliver_all()
        made = create(api, staff, url=receiver.url).json()
        since = (timezone.now() - timedelta(hours=1)).isoformat()
        replayed = api.post(f"/webhook-subscriptions/{made['id']}/replay", {"since": since},
                            **staff)
        assert (replayed.status_code, replayed.json()) == (202, {"events": 1})
        deliver_all()
    finally:
        receiver.stop()
    [message] = api.get(f"/webhook-subscriptions/{made['id']}/messages", **staff).json()["items"]
    assert (message["event_type"], message["status"]) == ("order.created", "pending")
    [attempt] = message["attempts"]
    assert (attempt["outcome"], attempt["status_code"]) == ("failed", 500)
    assert attempt["exchange"]["request"]["headers"]["webhook-id"] == message["id"]
    assert attempt["exchange"]["response"]["body"] == "thanks"


def test_replay_takes_a_time_without_offset_in_the_shops_time_zone(api, staff):
    made = create(api, staff).json()
    replayed = api.post(f"/webhook-subscriptions/{made['id']}/replay",
                        {"since": "2026-01-01T00:00:00"}, **staff)
    assert (replayed.status_code, replayed.json()) == (202, {"events": 0})
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert_problem(api.post(f"/webhook-subscriptions/{made['id']}/replay", {"since": future},
                            **staff), 422)


def test_replay_of_a_subscription_switched_off_is_refused(api, staff):
    made = create(api, staff, active=False).json()
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    assert_problem(api.post(f"/webhook-subscriptions/{made['id']}/replay", {"since": since},
                            **staff), 409)


def test_the_openapi_document_lists_every_webhook_with_its_body_schema(client):
    document = client.get("/api/openapi.json").json()
    webhooks = document["webhooks"]
    assert "order.created" in webhooks and "product.updated" in webhooks
    ref = webhooks["shipment.released"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    assert "data" in document["components"]["schemas"][name]["properties"]


def test_the_administrator_role_manages_subscriptions_and_customer_service_does_not(api):
    assert create(api, bearer(token_for(role=ADMINISTRATOR))).status_code == 201
    assert_problem(create(api, bearer(token_for(role=CUSTOMER_SERVICE))), 403)
