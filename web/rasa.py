"""The web app's side of Rasa's REST channel: send one message, get the assistant's messages back.

The browser never talks to Rasa. Failures are turned into three exceptions the chat API maps to
clear, translated answers: Rasa unreachable (503), too slow (504), answering nonsense (502).

Several Rasa instances (RASA_URLS, sharing a tracker store and Rasa's Redis lock store) are spread
over by conversation: a conversation always goes to the same instance while it is up, and to the next
one when it cannot be reached. Only a refused connection moves a message: Rasa never saw it, so it is
not processed twice; a timeout after sending is reported, not retried.
"""
from __future__ import annotations

import contextlib
import queue
import time
import zlib
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import requests
from flask import Flask, current_app
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError


class RasaError(Exception):
    """Rasa answered with an error status or something that is not a list of messages."""


class RasaUnavailable(RasaError):
    """Rasa could not be reached (not started, crashed, wrong RASA_URL)."""


class RasaTimeout(RasaError):
    """Rasa did not answer within RASA_TIMEOUT seconds."""


IDLE_CONNECTION_SECONDS = 60


def instance_order(conversation_id: str, count: int) -> List[int]:
    """The instances to try for a conversation, its own first.

    >>> instance_order("abc12345", 1)
    [0]
    >>> sorted(instance_order("abc12345", 3))
    [0, 1, 2]
    >>> instance_order("abc12345", 3) == instance_order("abc12345", 3)
    True
    """
    # crc32, not hash(): the same in every web worker and after every restart.
    first = zlib.crc32(conversation_id.encode("utf-8")) % count
    return [(first + step) % count for step in range(count)]


class RasaClient:
    """Created once, bound to an app with init_app, used as `rasa.send(...)` inside a request."""

    def __init__(self, app: Optional[Flask] = None) -> None:
        # A few HTTP sessions shared by every thread, each keeping its connections to Rasa open: a
        # message saves the TCP handshake. A thread borrows one for a call and gives it back (requests'
        # Session is not documented as thread-safe, so no two threads use one at the same time).
        self._idle: "queue.LifoQueue[Tuple[requests.Session, float]]" = queue.LifoQueue()
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        app.extensions["rasa"] = self

    @staticmethod
    def _config() -> Dict[str, Any]:
        return current_app.config

    @contextlib.contextmanager
    def _http(self) -> Iterator[requests.Session]:
        http = None
        while http is None:
            try:
                candidate, last_used = self._idle.get_nowait()
            except queue.Empty:
                http = requests.Session()
                # Rasa is on this machine or a private network: no proxy settings read from the
                # environment on every message.
                http.trust_env = False
                break
            # Rasa closes idle connections after 120 s (its keep-alive timeout); a message sent on a
            # connection closing at that moment would fail without knowing whether Rasa read it.
            # Sessions idle for half that time are closed instead of reused.
            if time.monotonic() - last_used > IDLE_CONNECTION_SECONDS:
                candidate.close()
            else:
                http = candidate
        try:
            yield http
        finally:
            self._idle.put((http, time.monotonic()))

    @staticmethod
    def urls() -> Sequence[str]:
        config = current_app.config
        return config.get("RASA_URLS") or (config["RASA_URL"],)

    def url_for(self, conversation_id: str) -> str:
        """The instance this conversation goes to while every instance is up."""
        urls = self.urls()
        return urls[instance_order(conversation_id, len(urls))[0]]

    def _post(self, conversation_id: str, path: str, **kwargs) -> requests.Response:
        config = self._config()
        urls = self.urls()
        timeout = (config["RASA_CONNECT_TIMEOUT"], config["RASA_TIMEOUT"])
        unreachable: Optional[Exception] = None
        for index in instance_order(conversation_id, len(urls)):
            try:
                with self._http() as http:
                    return http.post(f"{urls[index]}{path}", timeout=timeout, **kwargs)
            except requests.ConnectTimeout as exc:
                unreachable = exc  # never connected: the next instance may take it
            except requests.Timeout as exc:
                raise RasaTimeout(str(exc)) from exc
            except requests.ConnectionError as exc:
                if not _never_sent(exc):
                    raise RasaUnavailable(str(exc)) from exc
                unreachable = exc
            except requests.RequestException as exc:
                raise RasaError(str(exc)) from exc
            if len(urls) > 1:
                current_app.logger.warning("Rasa at %s cannot be reached; trying the next instance", urls[index])
        raise RasaUnavailable(str(unreachable)) from unreachable

    def send(self, conversation_id: str, text: str, lang: str, identity: Optional[str] = None) -> List[Dict[str, Any]]:
        """identity: the sealed identity token of the logged-in person (the action server checks it)."""
        metadata = {"lang": lang}
        if identity:
            metadata["identity"] = identity
        payload = {"sender": conversation_id, "message": text, "metadata": metadata}
        response = self._post(conversation_id, "/webhooks/rest/webhook", json=payload)
        if response.status_code != 200:
            raise RasaError(f"Rasa answered HTTP {response.status_code}")
        try:
            messages = response.json()
        except ValueError as exc:
            raise RasaError("Rasa's answer is not JSON") from exc
        if not isinstance(messages, list):
            raise RasaError("Rasa's answer is not a list of messages")
        return messages

    def resume(self, conversation_id: str) -> None:
        """Rasa's conversation resume (the handoff paused it): the model answers this conversation again.

        Uses Rasa's HTTP API (`rasa run --enable-api --auth-token $RASA_TOKEN`, on loopback only).
        """
        config = self._config()
        try:
            response = self._post(
                conversation_id, f"/conversations/{conversation_id}/tracker/events",
                # After the resume Rasa must be listening, as if the handoff's turn had ended normally:
                # without the action_listen, no rule matches the next message.
                params={"token": config["RASA_TOKEN"]},
                json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}],
            )
        except RasaTimeout as exc:
            raise RasaUnavailable(str(exc)) from exc
        if response.status_code != 200:
            raise RasaError(f"Rasa answered HTTP {response.status_code} to the resume")

    def is_paused(self, conversation_id: str) -> bool:
        """Whether Rasa has this conversation paused (handed off). False when that cannot be told."""
        config = self._config()
        url = self.url_for(conversation_id)
        try:
            with self._http() as http:
                response = http.get(
                    f"{url}/conversations/{conversation_id}/tracker",
                    params={"token": config["RASA_TOKEN"], "include_events": "NONE"},
                    timeout=(config["RASA_CONNECT_TIMEOUT"], config["RASA_TIMEOUT"]),
                )
            return response.status_code == 200 and response.json().get("paused") is True
        except (requests.RequestException, ValueError, AttributeError):
            return False

    def is_up(self) -> bool:
        """At least one instance answers."""
        config = self._config()
        for url in self.urls():
            try:
                with self._http() as http:
                    if http.get(f"{url}/webhooks/rest/", timeout=config["RASA_HEALTH_TIMEOUT"]).ok:
                        return True
            except requests.RequestException:
                continue
        return False


def _never_sent(error: requests.ConnectionError) -> bool:
    """Whether the request cannot have reached Rasa: the connection was refused or never made.

    A connection that broke after the request was sent (Rasa killed mid-answer) is not retried.
    """
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
