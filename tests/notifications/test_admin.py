"""Sent emails in the back office: listed and shown, never added, changed or deleted."""

import pytest
from django.urls import reverse

from mercato.core.outbox import deliver_due
from mercato.notifications.models import SentEmail
from tests.orders.builders import make_quote, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    order = place(make_quote())
    deliver_due()
    return SentEmail.objects.get(to=order.email)


@pytest.fixture
def staff_client(client, django_user_model):
    boss = django_user_model.objects.create_superuser(email="boss@example.com", password="x")
    client.force_login(boss)
    return client


def test_the_changelist_and_the_detail_render(staff_client, sent_email):
    listing = staff_client.get(reverse("admin:notifications_sentemail_changelist"),
                               {"q": "ada@example.com"})
    detail = staff_client.get(reverse("admin:notifications_sentemail_change",
                                      args=[sent_email.pk]))

    assert listing.status_code == 200 and sent_email.subject in listing.content.decode()
    assert detail.status_code == 200 and sent_email.subject in detail.content.decode()


def test_sent_emails_cannot_be_added_or_deleted(staff_client, sent_email):
    add = staff_client.get(reverse("admin:notifications_sentemail_add"))
    delete = staff_client.post(reverse("admin:notifications_sentemail_delete",
                                       args=[sent_email.pk]), {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert SentEmail.objects.filter(pk=sent_email.pk).exists()
