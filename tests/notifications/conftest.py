"""A real SMTP server on a free local port (aiosmtpd), and the settings that point at it."""

import email
import socket
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from mercato.settings import email_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping what the server accepted: (envelope recipients, message)."""

    def __init__(self):
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, message in self.received]


def use_email_url(settings, url: str) -> None:
    # pytest-django swaps in the locmem backend; EMAIL_URL's settings replace it here.
    for name, value in email_settings(url).items():
        setattr(settings, name, value)


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_email_url(settings, f"smtp://127.0.0.1:{controller.port}?timeout=5")
    yield inbox
    controller.stop()
