"""The full default stack for `tools.bench`: the action server and Rasa (tools.stack), an app database
of the run's own with the demo data, and the web app as a process of its own (`python -m web`); and
the memory (RSS) of each of those processes, sampled while the benchmark runs.

Linux only for the memory: it reads /proc (psutil is not in the environment).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from tools import stack

ROOT = stack.ROOT
# High enough that the web app's per-client limits never answer the benchmark with 429: every
# benchmark request comes from 127.0.0.1.
BENCH_RATE_LIMIT = "1000000/minute"


@dataclass
class FullStack:
    rasa_url: str
    web_url: str
    # The secret the web app and the action server share (the bench seals identity tokens with it too).
    identity_secret: str
    # role -> the pid at the top of that role's process tree
    pids: Dict[str, int] = field(default_factory=dict)


def web_environment(base: Dict[str, str], rasa_url: str, port: int, workdir: Path) -> Dict[str, str]:
    env = dict(base)
    env.update(
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
        RASA_URL=rasa_url,
        RASA_URLS=rasa_url,  # the pooled client's list of Rasa URLs, where the web app has it
        CHAT_RATE_LIMIT=BENCH_RATE_LIMIT,
        LOGIN_RATE_LIMIT=BENCH_RATE_LIMIT,
        WEB_TRANSLATIONS_BUILD_DIR=str(workdir / "translations"),
    )
    return env


@contextlib.contextmanager
def running_full_stack(workdir: Path, model: Path = stack.DEFAULT_MODEL) -> Iterator[FullStack]:
    """Actions, Rasa (SQLite tracker store) and the web app (SQLite app database) in `workdir`; all
    three stopped on exit. Logs: workdir/{actions,rasa,web}-<port>.log."""
    identity_secret = "bench-" + secrets.token_urlsafe(40)
    with stack.running_demo_stack(workdir, identity_secret, model=model) as running:
        pids = {role: running.services[role].pid for role in ("rasa", "actions")}
        port = stack.free_port()
        web_url = f"http://127.0.0.1:{port}"
        web = stack.Service(
            "the web app", [sys.executable, "-m", "web", "--port", str(port), "--rasa-url", running.rasa_url],
            ROOT, web_environment(running.env, running.rasa_url, port, workdir), workdir / f"web-{port}.log",
            lambda: stack._ok(f"{web_url}/api/i18n/nl"), 60,
        )
        with web.running():
            pids["web"] = web.pid
            yield FullStack(rasa_url=running.rasa_url, web_url=web_url, identity_secret=identity_secret, pids=pids)


def _parents() -> Dict[int, int]:
    """pid -> parent pid, for every process visible in /proc."""
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read().decode(errors="replace")
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces: the ppid follows the last ')'.
        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return parents


def tree(pid: int, parents: Optional[Dict[int, int]] = None) -> List[int]:
    """`pid` and all its descendants."""
    parents = _parents() if parents is None else parents
    found, frontier = [pid], [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current:
                found.append(child)
                frontier.append(child)
    return found


def rss_kb(pid: int) -> int:
    """VmRSS of one process in kB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int, parents: Optional[Dict[int, int]] = None) -> float:
    """The RSS of `pid` and its descendants, in MiB (shared pages counted in each process)."""
    return sum(rss_kb(p) for p in tree(pid, parents)) / 1024


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode(errors="replace")
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)


def cpu_snapshot(pids: Dict[str, int]) -> Dict[str, float]:
    """CPU seconds used so far by each role's process tree (its live processes)."""
    parents = _parents()
    return {role: sum(cpu_seconds(p) for p in tree(pid, parents)) for role, pid in pids.items()}


class MemorySampler:
    """Samples the RSS of each role's process tree in a thread; `peak_mb` holds the highest seen."""

    def __init__(self, pids: Dict[str, int], interval: float = 0.5) -> None:
        self.pids = dict(pids)
        self.interval = interval
        self.peak_mb: Dict[str, float] = {role: 0.0 for role in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def sample(self) -> None:
        parents = _parents()
        for role, pid in self.pids.items():
            self.peak_mb[role] = max(self.peak_mb[role], tree_rss_mb(pid, parents))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> "MemorySampler":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
