"""manage.py webhook_sink: a local receiver that verifies Standard Webhooks signatures, prints
each delivery and answers 204 (verified), 401 (not) or 500 (--fail)."""

import base64
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from standardwebhooks.webhooks import Webhook

from mercato.integrations.management.commands.webhook_sink import Command

SECRET = "whsec_" + base64.b64encode(b"the-sink-secret-of-32-bytes-long").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another-secret-also-32-bytes-ok!").decode()
PAYLOAD = {"type": "order.placed", "timestamp": "2025-03-01T10:00:00Z",
           "data": {"number": "MRC-100001", "total": "48.37"}}


class RunningSink:
    """The command serving in a thread on a free port, and what it printed."""

    def __init__(self, command: Command, output: StringIO, thread: threading.Thread) -> None:
        self.command, self.output, self.thread = command, output, thread
        host, port = command.server.server_address[:2]
        self.url = f"http://{host}:{port}/hooks"

    def post(self, body: bytes | str, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.post(self.url, content=body, headers=headers or {}, timeout=5)

    def printed(self) -> str:
        return self.output.getvalue()


@pytest.fixture
def start_sink(monkeypatch) -> Iterator:
    monkeypatch.delenv("MERCATO_WEBHOOK_SINK_SECRET", raising=False)
    running: list[RunningSink] = []

    def start(*args: str) -> RunningSink:
        command, output = Command(), StringIO()
        thread = threading.Thread(
            target=lambda: call_command(command, "--port", "0", *args, stdout=output),
            daemon=True)
        thread.start()
        deadline = time.monotonic() + 5
        while command.server is None:  # set once the socket listens
            assert time.monotonic() < deadline, "the sink did not start"
            time.sleep(0.01)
        running.append(RunningSink(command, output, thread))
        return running[-1]

    yield start
    for sink in running:
        sink.command.server.shutdown()
        sink.thread.join(timeout=5)


def signed(body: str, *, secret: str = SECRET, msg_id: str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
           at: datetime | None = None) -> dict[str, str]:
    at = at or datetime.now(UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, at, body),
            "content-type": "application/json"}


def test_a_signed_delivery_is_verified_printed_and_answered_204(start_sink):
    sink = start_sink("--secret", SECRET)
    body = json.dumps(PAYLOAD)

    response = sink.post(body, signed(body))

    assert response.status_code == 204
    printed = sink.printed()
    assert "webhook-id: msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" in printed
    assert "type: order.placed" in printed
    assert "signature: verified (signature matches)" in printed
    assert json.dumps(PAYLOAD, indent=2) in printed
    assert "answered: 204 No Content" in printed


def test_a_wrong_signature_is_401_and_says_why(start_sink):
    sink = start_sink("--secret", SECRET)
    body = json.dumps(PAYLOAD)

    response = sink.post(body, signed(body, secret=OTHER_SECRET))

    assert response.status_code == 401
    assert "signature: not verified (No matching signature found)" in sink.printed()
    assert "answered: 401 Unauthorized" in sink.printed()


def test_a_changed_body_is_not_verified(start_sink):
    sink = start_sink("--secret", SECRET)
    headers = signed(json.dumps(PAYLOAD))

    response = sink.post(json.dumps(PAYLOAD | {"type": "order.cancelled"}), headers)

    assert response.status_code == 401


def test_an_old_timestamp_or_missing_headers_are_401(start_sink):
    sink = start_sink("--secret", SECRET)
    body = json.dumps(PAYLOAD)

    stale = sink.post(body, signed(body, at=datetime.now(UTC) - timedelta(minutes=10)))
    unsigned = sink.post(body, {"content-type": "application/json"})

    assert (stale.status_code, unsigned.status_code) == (401, 401)
    assert "Message timestamp too old" in sink.printed()
    assert "Missing required headers" in sink.printed()
    assert "webhook-id: (missing)" in sink.printed()


def test_a_malformed_signature_header_is_401_not_a_crash(start_sink):
    sink = start_sink("--secret", SECRET)
    body = json.dumps(PAYLOAD)
    headers = signed(body) | {"webhook-signature": "v1-no-comma"}

    response = sink.post(body, headers)

    assert response.status_code == 401
    assert "Malformed signature or body" in sink.printed()


def test_any_of_several_secrets_verifies(start_sink):
    sink = start_sink("--secret", OTHER_SECRET, "--secret", SECRET)
    body = json.dumps(PAYLOAD)

    assert sink.post(body, signed(body, secret=SECRET)).status_code == 204
    assert sink.post(body, signed(body, secret=OTHER_SECRET)).status_code == 204


def test_secrets_may_come_from_the_environment(start_sink, monkeypatch):
    monkeypatch.setenv("MERCATO_WEBHOOK_SINK_SECRET", f"{OTHER_SECRET}, {SECRET}")
    sink = start_sink()
    body = json.dumps(PAYLOAD)

    assert sink.post(body, signed(body)).status_code == 204
    assert "verifying with 2 secret(s)" in sink.printed()


def test_without_a_secret_deliveries_are_printed_and_answered_204_not_verified(start_sink):
    sink = start_sink()
    body = json.dumps(PAYLOAD)

    response = sink.post(body, signed(body))

    assert response.status_code == 204
    assert "signature: not verified (no secret given" in sink.printed()
    assert "type: order.placed" in sink.printed()


def test_fail_answers_500_to_the_first_deliveries_then_204(start_sink):
    sink = start_sink("--secret", SECRET, "--fail", "2")
    body = json.dumps(PAYLOAD)

    statuses = [sink.post(body, signed(body)).status_code for _ in range(3)]

    assert statuses == [500, 500, 204]
    assert sink.printed().count("answered: 500 Internal Server Error") == 2


def test_fail_is_not_spent_on_deliveries_that_are_not_verified(start_sink):
    sink = start_sink("--secret", SECRET, "--fail", "1")
    body = json.dumps(PAYLOAD)

    forged = sink.post(body, signed(body, secret=OTHER_SECRET))
    genuine = [sink.post(body, signed(body)).status_code for _ in range(2)]

    assert (forged.status_code, genuine) == (401, [500, 204])


def test_a_body_that_is_not_json_is_printed_as_text(start_sink):
    sink = start_sink()

    response = sink.post("hello\x1b[31m", {"webhook-id": "msg_1"})

    assert response.status_code == 204
    assert "(not JSON) hello\\x1b[31m" in sink.printed()
    assert "type: ?" in sink.printed()


def test_the_sink_listens_on_localhost_by_default(start_sink):
    sink = start_sink()

    assert sink.command.server.server_address[0] == "127.0.0.1"
    assert "Webhook sink on http://127.0.0.1:" in sink.printed()


def test_a_secret_that_is_not_base64_is_refused():
    with pytest.raises(CommandError, match="Not a webhook secret"):
        call_command("webhook_sink", "--port", "0", "--secret", "whsec_", stdout=StringIO())


def test_a_negative_fail_count_is_refused():
    with pytest.raises(CommandError, match="--fail"):
        call_command("webhook_sink", "--port", "0", "--fail", "-1", stdout=StringIO())
