"""The web app's side of Rasa's REST channel: send one message, get the assistant's messages back.

The browser never talks to Rasa. Failures are turned into three exceptions the chat API maps to
clear, translated answers: Rasa unreachable (503), too slow (504), answering nonsense (502).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import requests
from flask import Flask, current_app


class RasaError(Exception):
    """Rasa answered with an error status or something that is not a list of messages."""


class RasaUnavailable(RasaError):
    """Rasa could not be reached (not started, crashed, wrong RASA_URL)."""


class RasaTimeout(RasaError):
    """Rasa did not answer within RASA_TIMEOUT seconds."""


class RasaClient:
    """Created once, bound to an app with init_app, used as `rasa.send(...)` inside a request."""

    def __init__(self, app: Optional[Flask] = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        app.extensions["rasa"] = self

    @staticmethod
    def _config() -> Dict[str, Any]:
        return current_app.config

    def send(self, conversation_id: str, text: str, lang: str, identity: Optional[str] = None) -> List[Dict[str, Any]]:
        """identity: the sealed identity token of the logged-in person (the action server checks it)."""
        config = self._config()
        metadata = {"lang": lang}
        if identity:
            metadata["identity"] = identity
        payload = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = requests.post(
                f"{config['RASA_URL']}/webhooks/rest/webhook",
                json=payload,
                timeout=(config["RASA_CONNECT_TIMEOUT"], config["RASA_TIMEOUT"]),
            )
        except requests.Timeout as exc:
            # A connect timeout means Rasa is not there; a read timeout means it is slow.
            if isinstance(exc, requests.ConnectTimeout):
                raise RasaUnavailable(str(exc)) from exc
            raise RasaTimeout(str(exc)) from exc
        except requests.ConnectionError as exc:
            raise RasaUnavailable(str(exc)) from exc
        except requests.RequestException as exc:
            raise RasaError(str(exc)) from exc
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
            response = requests.post(
                f"{config['RASA_URL']}/conversations/{conversation_id}/tracker/events",
                # After the resume Rasa must be listening, as if the handoff's turn had ended normally:
                # without the action_listen, no rule matches the next message.
                params={"token": config["RASA_TOKEN"]},
                json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}],
                timeout=(config["RASA_CONNECT_TIMEOUT"], config["RASA_TIMEOUT"]),
            )
        except requests.RequestException as exc:
            raise RasaUnavailable(str(exc)) from exc
        if response.status_code != 200:
            raise RasaError(f"Rasa answered HTTP {response.status_code} to the resume")

    def is_up(self) -> bool:
        config = self._config()
        try:
            return requests.get(
                f"{config['RASA_URL']}/webhooks/rest/", timeout=config["RASA_HEALTH_TIMEOUT"]
            ).ok
        except requests.RequestException:
            return False
