"""A real HTTP receiver on loopback for webhook tests: it verifies each delivery with the
standardwebhooks library (not our code) against the secrets it is given, and answers as told
(a status code, or a pause longer than the shop's timeout)."""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: dict
    raw: bytes
    verified_by: list[str]  # the secrets whose signature matched

    @property
    def type(self) -> str:
        return self.body["type"]

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    def __init__(self) -> None:
        self.secrets: list[str] = []
        self.received: list[Received] = []
        # What to answer next, one per request: a status code, or ("pause", seconds) then 204.
        self.answers: list[int | tuple[str, float]] = []
        self.response_body = b"thanks"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hooks"

    def types(self) -> list[str]:
        return [entry.type for entry in self.received]

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                answer = receiver.answers.pop(0) if receiver.answers else 204
                if isinstance(answer, tuple):
                    time.sleep(answer[1])
                    answer = 204
                headers = {name.lower(): value for name, value in self.headers.items()}
                verified = []
                for secret in receiver.secrets:
                    try:
                        Webhook(secret).verify(raw, headers)
                    except WebhookVerificationError:
                        continue
                    verified.append(secret)
                receiver.received.append(Received(headers, json.loads(raw), raw, verified))
                try:
                    self.send_response(answer)
                    self.send_header("X-Receiver", "test")
                    self.send_header("Content-Length", str(len(receiver.response_body)))
                    self.end_headers()
                    self.wfile.write(receiver.response_body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the shop gave up waiting

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
