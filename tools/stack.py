"""Start and stop the action server and Rasa on loopback, for `make eval`, `make bench` and the tests.

`make run` uses honcho and the Procfile instead; both read the same settings (settings.py).
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

import requests

from groupinsurance import settings

ROOT = Path(__file__).resolve().parent.parent
BOT_DIR = ROOT / "bot"
DEFAULT_MODEL = BOT_DIR / "models" / "current.tar.gz"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rasa_is_up(rasa_url: str) -> bool:
    try:
        return requests.get(f"{rasa_url}/webhooks/rest/", timeout=2).ok
    except requests.RequestException:
        return False


def wait_until(check, timeout: float, what: str, process: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before it was ready")
        time.sleep(0.5)
    raise TimeoutError(f"{what} was not ready after {timeout:.0f} s")


def rasa_environment(action_port: int, tracker_db: Path) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}/webhook",
        TRACKER_DIALECT="sqlite",
        TRACKER_DB=str(tracker_db),
        SANIC_HOST="127.0.0.1",  # rasa-sdk's only way to bind the action server to loopback
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


@dataclass
class Stack:
    rasa_url: str
    action_url: str
    # The environment the action server got: a web app in front must use the same database and secret.
    env: Dict[str, str]


@contextlib.contextmanager
def running_stack(
    model: Path = DEFAULT_MODEL,
    rasa_port: Optional[int] = None,
    action_port: Optional[int] = None,
    workdir: Optional[Path] = None,
    log_dir: Optional[Path] = None,
    env_overrides: Optional[Dict[str, str]] = None,
) -> Iterator[Stack]:
    """Start the action server and Rasa with `model`; stop both on exit.

    env_overrides: extra environment for both, e.g. DATABASE_URL and IDENTITY_TOKEN_SECRET in tests.
    """
    if not Path(model).exists():
        raise FileNotFoundError(f"No trained model at {model}: run `make model` first.")
    rasa_port = rasa_port or free_port()
    action_port = action_port or free_port()
    workdir = Path(workdir or ROOT / "var")
    workdir.mkdir(parents=True, exist_ok=True)
    log_dir = Path(log_dir or workdir)
    env = rasa_environment(action_port, workdir / f"tracker-{rasa_port}.db")
    env.update(env_overrides or {})
    # Rasa's HTTP API (resume after a handoff, /model/parse for the evaluation) is always on, on
    # loopback, behind a token the web app gets through Stack.env.
    env.setdefault("RASA_TOKEN", settings.secret("RASA_TOKEN", env))
    processes = []
    try:
        with open(log_dir / f"actions-{action_port}.log", "wb") as action_log:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
                    cwd=ROOT, env=env, stdout=action_log, stderr=subprocess.STDOUT,
                )
            )
        with open(log_dir / f"rasa-{rasa_port}.log", "wb") as rasa_log:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "rasa"), "run", "--model", str(Path(model).resolve()),
                     "--interface", "127.0.0.1", "--port", str(rasa_port),
                     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                     "--enable-api", "--auth-token", env["RASA_TOKEN"]],
                    cwd=BOT_DIR, env=env, stdout=rasa_log, stderr=subprocess.STDOUT,
                )
            )
        action_url = f"http://127.0.0.1:{action_port}"
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        wait_until(lambda: _ok(f"{action_url}/health"), 60, "the action server", processes[0])
        wait_until(lambda: rasa_is_up(rasa_url), 180, "Rasa", processes[1])
        yield Stack(rasa_url=rasa_url, action_url=action_url, env=env)
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


@contextlib.contextmanager
def rasa_available(rasa_url: Optional[str], model: Path = DEFAULT_MODEL, need_api: bool = False) -> Iterator[str]:
    """Use the Rasa at `rasa_url` if it answers (and has its HTTP API, if needed); otherwise start a
    stack for the duration."""
    if rasa_url and rasa_is_up(rasa_url) and (not need_api or api_enabled(rasa_url)):
        yield rasa_url
        return
    print("Starting Rasa and the action server for this run...", file=sys.stderr)
    with running_stack(model=model) as stack:
        yield stack.rasa_url


def api_enabled(rasa_url: str) -> bool:
    try:
        return requests.post(f"{rasa_url}/model/parse", params={"token": settings.secret("RASA_TOKEN")},
                             json={"text": "hallo"}, timeout=5).ok
    except requests.RequestException:
        return False
