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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

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
class Service:
    """One server process of the stack, which a fault test may stop and start again."""

    name: str
    command: List[str]
    cwd: Path
    env: Dict[str, str]
    log_path: Path
    ready: Callable[[], bool]
    ready_timeout: float
    # Further subprocess.Popen arguments (e.g. the user to run as).
    popen_kwargs: Dict[str, object] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, **self.popen_kwargs)

    @contextlib.contextmanager
    def running(self) -> Iterator["Service"]:
        """Started and ready for the `with` block, stopped after it."""
        try:
            self.start()
            self.wait_ready()
            yield self
        finally:
            self.stop()

    def wait_ready(self) -> None:
        try:
            wait_until(self.ready, self.ready_timeout, self.name, self.process)
        except (RuntimeError, TimeoutError):
            sys.stderr.write(self.log_path.read_text(errors="replace")[-3000:])
            raise

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean shutdown."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)

    def stop(self) -> None:
        """SIGINT: a clean shutdown for Rasa, Sanic and gunicorn, and PostgreSQL's "fast" one."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process is not None else None


@dataclass
class Stack:
    rasa_url: str
    action_url: str
    # The environment the action server got: a web app in front must use the same database and secret.
    env: Dict[str, str]
    # Every Rasa instance (the first is rasa_url), and the processes by name: "actions", "rasa", "rasa-2"...
    rasa_urls: List[str] = field(default_factory=list)
    services: Dict[str, Service] = field(default_factory=dict)

    def restart(self, name: str) -> None:
        service = self.services[name]
        service.stop()
        service.start()
        service.wait_ready()


@contextlib.contextmanager
def running_stack(
    model: Path = DEFAULT_MODEL,
    rasa_port: Optional[int] = None,
    action_port: Optional[int] = None,
    workdir: Optional[Path] = None,
    log_dir: Optional[Path] = None,
    env_overrides: Optional[Dict[str, str]] = None,
    rasa_instances: int = 1,
    endpoints: str = "endpoints.yml",
) -> Iterator[Stack]:
    """Start the action server and `rasa_instances` Rasa servers with `model`; stop them all on exit.

    env_overrides: extra environment for all, e.g. DATABASE_URL and IDENTITY_TOKEN_SECRET in tests, or
    the PostgreSQL tracker store and Redis lock store of endpoints.scale.yml (several instances need
    those: they share every conversation).
    """
    if not Path(model).exists():
        raise FileNotFoundError(f"No trained model at {model}: run `make model` first.")
    rasa_ports = [rasa_port or free_port()] + [free_port() for _ in range(rasa_instances - 1)]
    action_port = action_port or free_port()
    workdir = Path(workdir or ROOT / "var")
    workdir.mkdir(parents=True, exist_ok=True)
    log_dir = Path(log_dir or workdir)
    env = rasa_environment(action_port, workdir / f"tracker-{rasa_ports[0]}.db")
    env.update(env_overrides or {})
    # Rasa's HTTP API (resume after a handoff, /model/parse for the evaluation) is always on, on
    # loopback, behind a token the web app gets through Stack.env.
    env.setdefault("RASA_TOKEN", settings.secret("RASA_TOKEN", env))
    action_url = f"http://127.0.0.1:{action_port}"
    services = {
        "actions": Service(
            "the action server",
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
            ROOT, env, log_dir / f"actions-{action_port}.log", lambda: _ok(f"{action_url}/health"), 60,
        )
    }
    rasa_urls = []
    for index, port in enumerate(rasa_ports):
        url = f"http://127.0.0.1:{port}"
        rasa_urls.append(url)
        services["rasa" if index == 0 else f"rasa-{index + 1}"] = Service(
            f"Rasa on port {port}",
            [str(BIN / "rasa"), "run", "--model", str(Path(model).resolve()),
             "--interface", "127.0.0.1", "--port", str(port),
             "--endpoints", endpoints, "--credentials", "credentials.yml",
             "--enable-api", "--auth-token", env["RASA_TOKEN"]],
            BOT_DIR, env, log_dir / f"rasa-{port}.log", (lambda url=url: rasa_is_up(url)), 180,
        )
    try:
        # The first Rasa creates the tracker store's tables; the others start once it has, so that no
        # two instances race to create them.
        first, others = list(services.values())[:2], list(services.values())[2:]
        for group in (first, others):
            for service in group:
                service.start()
            for service in group:
                service.wait_ready()
        yield Stack(rasa_url=rasa_urls[0], action_url=action_url, env=env, rasa_urls=rasa_urls, services=services)
    finally:
        for service in reversed(list(services.values())):
            if service.process is not None and service.process.poll() is None:
                service.process.send_signal(signal.SIGINT)
        for service in services.values():
            service.stop()


@contextlib.contextmanager
def running_demo_stack(workdir: Path, identity_secret: str, model: Path = DEFAULT_MODEL) -> Iterator[Stack]:
    """running_stack on an app database of its own (SQLite in `workdir`, migrated, with the demo data)
    and its own identity secret: for tests and benchmarks, never the developer's var/app.db."""
    from groupinsurance import demo_data

    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'app.db'}"
    demo_data.migrate_and_load(database_url)
    overrides = {"DATABASE_URL": database_url, "IDENTITY_TOKEN_SECRET": identity_secret}
    with running_stack(model=model, workdir=workdir, env_overrides=overrides) as running:
        yield running


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
