"""A local receiver for the shop's outgoing webhooks, for developers: it prints each delivery
and checks its Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature).

    manage.py webhook_sink --port 9000 --secret whsec_...     # 204 when verified, 401 when not
    manage.py webhook_sink                                    # no secret: 204, "not verified"
    manage.py webhook_sink --secret whsec_old --secret whsec_new   # during a secret rotation
    manage.py webhook_sink --secret whsec_... --fail 2        # 500 to two deliveries first

Secrets may also come from MERCATO_WEBHOOK_SINK_SECRET (several: separated by spaces or
commas). A delivery is verified when any secret's signature matches. `--fail N` answers 500 to
the first N deliveries that would have been answered 204, to watch the outbox retry them.
Listens on 127.0.0.1 unless `--host` says otherwise: it is a development tool, not an endpoint.
"""

import json
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.core.management.color import Style, no_style
from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook, WebhookVerificationError

SECRET_ENV = "MERCATO_WEBHOOK_SINK_SECRET"
MAX_BODY_BYTES = 5 * 1024 * 1024  # far above any payload the shop sends


def webhooks_for(secrets: list[str]) -> list[Webhook]:
    """A verifier per secret; a secret that is not `whsec_` + base64 stops the command."""
    verifiers = []
    for secret in secrets:
        try:
            verifiers.append(Webhook(secret))
        except (EmptyWebhookSecretError, ValueError, RuntimeError) as error:
            raise CommandError(f"Not a webhook secret (whsec_ + base64): {secret[:10]}…") \
                from error
    return verifiers


@dataclass
class Sink:
    """What the server does with each delivery: verify, print, choose the answer."""

    webhooks: list[Webhook]
    out: OutputWrapper
    failures_left: int = 0
    style: Style = field(default_factory=no_style)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> int:
        verified, reason = self.verify(headers, body)
        status = HTTPStatus.NO_CONTENT if verified or not self.webhooks else HTTPStatus.UNAUTHORIZED
        with self._lock:
            if status == HTTPStatus.NO_CONTENT and self.failures_left > 0:
                self.failures_left -= 1
                status = HTTPStatus.INTERNAL_SERVER_ERROR
                reason += f"; --fail: answering 500 ({self.failures_left} more to fail)"
            self.print_delivery(path, headers, body, verified=verified, reason=reason,
                                status=status)
        return status

    def verify(self, headers: dict[str, str], body: bytes) -> tuple[bool, str]:
        """(verified, what to say): the first secret whose signature matches, or why none."""
        if not self.webhooks:
            return False, "no secret given (--secret or " + SECRET_ENV + ")"
        reasons = []
        for webhook in self.webhooks:
            try:
                webhook.verify(body, headers, json_parse=False)
            except WebhookVerificationError as error:
                reasons.append(str(error))
            except ValueError as error:  # a signature or body the library cannot even read
                reasons.append(f"Malformed signature or body ({error.__class__.__name__})")
            else:
                return True, "signature matches"
        return False, "; ".join(dict.fromkeys(reasons))

    def print_delivery(self, path: str, headers: dict[str, str], body: bytes, *,
                       verified: bool, reason: str, status: int) -> None:
        lower = {name.lower(): value for name, value in headers.items()}
        try:
            payload = json.loads(body)
        except ValueError:
            payload, shown = None, "(not JSON) " + printable(body.decode(errors="replace"))
        else:
            shown = json.dumps(payload, indent=2, ensure_ascii=False)  # escapes control chars
        kind = payload.get("type", "?") if isinstance(payload, dict) else "?"
        verdict = (self.style.SUCCESS("verified") if verified
                   else self.style.WARNING("not verified"))
        self.out.write(f"--- {datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z POST {printable(path)}")
        self.out.write(f"webhook-id: {printable(lower.get('webhook-id', '(missing)'))}")
        self.out.write(f"type: {printable(str(kind))}")
        self.out.write(f"signature: {verdict} ({reason})")
        self.out.write(shown if body.strip() else "(empty body)")
        self.out.write(f"answered: {status} {HTTPStatus(status).phrase}")


def printable(text: str) -> str:
    """The text without terminal control characters (a sender's escape sequences), lines kept."""
    return "".join(c if c.isprintable() or c in "\n\t" else f"\\x{ord(c):02x}" for c in text)


class SinkHandler(BaseHTTPRequestHandler):
    """POST anything: read the body, hand it to the server's sink, answer its status."""

    server: "SinkServer"
    server_version = "MercatoWebhookSink"

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self.answer(HTTPStatus.LENGTH_REQUIRED, "Send a Content-Length.\n")
            return
        if int(length) > MAX_BODY_BYTES:
            self.answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The body is too large.\n")
            return
        body = self.rfile.read(int(length))
        status = self.server.sink.receive(self.path, dict(self.headers.items()), body)
        self.answer(status, "" if status == HTTPStatus.NO_CONTENT
                    else f"{HTTPStatus(status).phrase}\n")

    def answer(self, status: int, text: str) -> None:
        content = text.encode()
        self.send_response(status)
        if status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if content:
            self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sink prints each delivery itself."""


class SinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sink: Sink) -> None:
        super().__init__(address, SinkHandler)
        self.sink = sink


class Command(BaseCommand):
    help = ("Receive webhooks locally: print each delivery and verify its Standard Webhooks "
            "signature (204 verified, 401 not; 204 'not verified' without a secret).")
    server: SinkServer | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Default 127.0.0.1.")
        parser.add_argument("--port", type=int, default=9000, help="Default 9000; 0: any free.")
        parser.add_argument("--secret", action="append", default=[], dest="secrets",
                            help=f"whsec_... (repeatable; or {SECRET_ENV}).")
        parser.add_argument("--fail", type=int, default=0, metavar="N",
                            help="Answer 500 to the first N deliveries (to see retries).")

    def handle(self, *args: Any, host: str, port: int, secrets: list[str], fail: int,
               **options: Any) -> None:
        if fail < 0:
            raise CommandError("--fail takes a number of deliveries, 0 or more.")
        secrets = secrets or re.split(r"[\s,]+", os.environ.get(SECRET_ENV, "").strip())
        sink = Sink(webhooks=webhooks_for([s for s in secrets if s]), out=self.stdout,
                    failures_left=fail, style=self.style)
        try:
            self.server = SinkServer((host, port), sink)
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror}") from error
        bound_host, bound_port = self.server.server_address[:2]
        checking = (f"verifying with {len(sink.webhooks)} secret(s)" if sink.webhooks
                    else "no secret: deliveries are printed, not verified")
        self.stdout.write(f"Webhook sink on http://{bound_host}:{bound_port}/ ({checking}). "
                          "Ctrl-C to stop.")
        try:
            self.server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.server.server_close()
