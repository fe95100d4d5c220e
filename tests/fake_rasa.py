"""A stand-in for Rasa's REST channel on a free loopback port, for the web app's tests.

    with FakeRasa() as rasa:                      # answers every message with rasa.reply(payload)
        rasa.reply = lambda payload: [{"text": "hi"}]
        rasa.delay = 2.0                          # seconds before answering (timeouts)
        rasa.status = 500                         # HTTP status of the answer
        ... create_app({"RASA_URL": rasa.url}) ...
        rasa.requests                             # the JSON bodies received, in order
"""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List


def echo_or_hand_off(payload: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A reply like Rasa's: "/request_human" hands off (as actions/handoff.py does), the rest is echoed."""
    if payload.get("message") == "/request_human":
        return [{"text": "Ik geef u door aan een collega."},
                {"custom": {"source": {"kind": "handoff", "reason": "request_human"}}}]
    return [{"text": f"echo: {payload.get('message')}"}]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unused_url() -> str:
    """A loopback URL nothing listens on (Rasa down)."""
    return f"http://127.0.0.1:{free_port()}"


class FakeRasa:
    def __init__(self) -> None:
        self.reply: Callable[[Dict[str, Any]], Any] = lambda payload: [
            {"recipient_id": payload.get("sender"), "text": f"echo: {payload.get('message')}"}
        ]
        self.delay = 0.0
        self.status = 200
        self.raw_body: bytes = b""  # sent as is instead of reply() when set
        self.requests: List[Dict[str, Any]] = []
        # Rasa's HTTP API: (conversation id, token, event) of every tracker event posted (the resume).
        self.events: List[Any] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def _send(self, status: int, body: bytes, content_type="application/json"):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the web app stopped waiting (the timeout tests)

            def do_GET(self):
                if self.path.rstrip("/") == "/webhooks/rest":
                    self._send(200, b'{"status": "ok"}')
                else:
                    self._send(404, b"{}")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                match = re.fullmatch(r"/conversations/([^/]+)/tracker/events\?token=(.*)", self.path)
                if match:
                    fake.events.append((match.group(1), match.group(2), payload))
                    self._send(fake.status, b'{"events": []}')
                    return
                if self.path != "/webhooks/rest/webhook":
                    self._send(404, b"{}")
                    return
                fake.requests.append(payload)
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.raw_body:
                    self._send(fake.status, fake.raw_body, "text/html")
                else:
                    self._send(fake.status, json.dumps(fake.reply(payload)).encode("utf-8"))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "FakeRasa":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
