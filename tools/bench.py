"""What the web app costs in front of Rasa: per-message latency (p50, p95) and throughput through the
full stack (web app -> Rasa -> actions, SQLite databases) side by side with a bare call to Rasa's REST
channel, in one run against the same Rasa, at several concurrencies; and the memory of each process.

    python -m tools.bench [--concurrency 1 8 32] [--messages 160] [--turns 10] [--block N]
                          [--logged-in 0.2] [--check-targets]

One run starts one default stack in a temporary folder: the action server, Rasa (SQLite tracker
store) and the web app as a process of its own (`python -m web`, threaded werkzeug server, SQLite app
database with the demo data, chat rate limit raised out of the way). At each concurrency both paths
get `--messages` messages:

  stack  POST /api/chat on the web app (it stores the transcript and forwards to Rasa)
  rasa   POST /webhooks/rest/webhook on Rasa itself

in alternating blocks of twice the concurrency (at least 8 messages): stack, rasa, rasa, stack, ...,
so that whatever else the machine is doing hits both alike; the figures pool the blocks. Both paths send the same held-out questions (eval/dev.jsonl)
in the same order, in conversations of `--turns` messages with ids of their own; a conversation
handed off to a colleague ends there on both paths. A share (`--logged-in`) of the conversations is
a logged-in demo person's (stack: logged in through the test identity provider; rasa: the same
identity token in the metadata). Errors (any answer other than HTTP 200, or none) are counted apart.

p50 overhead % = stack p50 / rasa p50 - 1; throughput ratio = stack msg/s / rasa msg/s.
Targets (2 cores): p50 overhead <= 10 % at each concurrency, throughput ratio >= 0.8 at concurrency
8, peak RSS of web app + Rasa + actions <= 2 GB. A miss prints MISSED; the exit code is 0 (it is a
measurement) unless --check-targets. The last line is one JSON object with every figure.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp

from groupinsurance import demo_data, identity_token
from tools import bench_stack, stack
from tools.evaluate import load_lines

PATHS = ("stack", "rasa")
P50_OVERHEAD_MAX_PCT = 10.0
THROUGHPUT_RATIO_MIN = 0.8
THROUGHPUT_TARGET_CONCURRENCY = 8
MEMORY_MAX_MB = 2048.0
# The smallest block of messages a path gets before the other path's turn (see block_plan).
MIN_BLOCK = 8
ROLES = ("web", "rasa", "actions")
LOGGED_IN_PERSON = demo_data.PERSONS["jan"]


# --- pure functions (tests/test_bench.py) --------------------------------------------------------

def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank value at `fraction` (0..1) of `values`, which must not be empty."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summarize(latencies: Sequence[float], errors: int, elapsed: float,
              cpu_seconds: Optional[Dict[str, float]] = None) -> Dict[str, Any]:
    """One path's figures at one concurrency; latencies in seconds, `elapsed` the wall time of its
    blocks, `cpu_seconds` the CPU time each process used during them (per message in the figures)."""
    figures = {
        "messages": len(latencies),
        "errors": errors,
        "p50_ms": round(1000 * percentile(latencies, 0.5), 1) if latencies else None,
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1) if latencies else None,
        "throughput": round(len(latencies) / elapsed, 2) if latencies and elapsed > 0 else None,
    }
    if cpu_seconds is not None:
        sent = len(latencies) + errors
        order = sorted(cpu_seconds, key=lambda role: ROLES.index(role) if role in ROLES else len(ROLES))
        figures["cpu_ms_per_message"] = {
            role: round(1000 * cpu_seconds[role] / sent, 1) if sent else None for role in order
        }
    return figures


def compare(stack_figures: Dict[str, Any], rasa_figures: Dict[str, Any]) -> Dict[str, Optional[float]]:
    """p50_overhead_pct = stack p50 / rasa p50 - 1 (in %); throughput_ratio = stack msg/s / rasa msg/s."""
    overhead = ratio = None
    if stack_figures.get("p50_ms") and rasa_figures.get("p50_ms"):
        overhead = round(100 * (stack_figures["p50_ms"] / rasa_figures["p50_ms"] - 1), 1)
    if stack_figures.get("throughput") and rasa_figures.get("throughput"):
        ratio = round(stack_figures["throughput"] / rasa_figures["throughput"], 3)
    return {"p50_overhead_pct": overhead, "throughput_ratio": ratio}


def level_figures(concurrency: int, stack_figures: Dict[str, Any], rasa_figures: Dict[str, Any]) -> Dict[str, Any]:
    return {"concurrency": concurrency, "stack": stack_figures, "rasa": rasa_figures,
            **compare(stack_figures, rasa_figures)}


def memory_figures(peak_mb: Dict[str, float]) -> Dict[str, float]:
    """Peak RSS per process tree, and their sum (an upper bound of the stack's peak: each at its own peak)."""
    figures = {role: round(peak_mb.get(role, 0.0), 1) for role in ROLES}
    figures["total"] = round(sum(figures.values()), 1)
    return figures


def targets(levels: Sequence[Dict[str, Any]], rss_mb: Dict[str, float]) -> Dict[str, Optional[bool]]:
    """Each target met (True), missed (False) or not measured in this run (None); `all` is False when
    any measured target was missed, None when none was measured. A level with errors misses its targets."""
    result: Dict[str, Optional[bool]] = {}
    for level in levels:
        overhead = level["p50_overhead_pct"]
        clean = not level["stack"]["errors"] and not level["rasa"]["errors"]
        result[f"p50_overhead_c{level['concurrency']}"] = (
            None if overhead is None else clean and overhead <= P50_OVERHEAD_MAX_PCT
        )
    at_target = [level for level in levels if level["concurrency"] == THROUGHPUT_TARGET_CONCURRENCY]
    ratio = at_target[0]["throughput_ratio"] if at_target else None
    clean = bool(at_target) and not at_target[0]["stack"]["errors"] and not at_target[0]["rasa"]["errors"]
    result[f"throughput_ratio_c{THROUGHPUT_TARGET_CONCURRENCY}"] = None if ratio is None else clean and ratio >= THROUGHPUT_RATIO_MIN
    result["memory"] = None if not rss_mb.get("total") else rss_mb["total"] <= MEMORY_MAX_MB
    measured = [value for value in result.values() if value is not None]
    result["all"] = all(measured) if measured else None
    return result


def report(levels: Sequence[Dict[str, Any]], rss_mb: Dict[str, float], *, cores: Optional[int],
           load: Dict[str, Any], settings: Dict[str, Any], date: str) -> Dict[str, Any]:
    """The JSON line: every figure of the run."""
    return {"date": date, "cores": cores, "load": load, "settings": settings, "levels": list(levels),
            "rss_mb": rss_mb, "targets": targets(levels, rss_mb)}


def block_plan(messages: int, concurrency: int, block: int = 0) -> List[Tuple[str, int, int, int]]:
    """The order of the blocks at one concurrency: (path, block number, first question, messages).

    Each path gets `messages` in blocks of about `block` messages (0: twice the concurrency, at least
    MIN_BLOCK), stack first in even rounds and rasa first in odd ones (stack rasa rasa stack ...): the
    finer the alternation, the more alike whatever else the machine does hits both paths. Block n of
    both paths holds the same questions.
    """
    size = block if block > 0 else max(MIN_BLOCK, 2 * concurrency)
    rounds = max(1, messages // size)
    plan, start = [], 0
    for number in range(rounds):
        count = messages // rounds + (1 if number < messages % rounds else 0)
        order = PATHS if number % 2 == 0 else PATHS[::-1]
        plan.extend((path, number, start, count) for path in order)
        start += count
    return plan


def logged_in_conversation(number: int, share: float) -> bool:
    """Whether conversation `number` (0, 1, ...) of a path is a logged-in person's: spread evenly, the
    same numbers on both paths, `share` of them in all."""
    return share > 0 and int((number + 1) * share) > int(number * share)


def is_handoff(path: str, body: Any) -> bool:
    """Whether the reply hands the conversation to a colleague (the conversation ends there)."""
    if path == "stack":
        return isinstance(body, dict) and bool(body.get("handoff"))
    return isinstance(body, list) and any(
        ((m.get("custom") or {}).get("source") or {}).get("kind") == "handoff" for m in body if isinstance(m, dict)
    )


def table(result: Dict[str, Any]) -> str:
    """The human-readable report (everything but the JSON line)."""
    lines = [f"{'concurrency':>11} {'path':<6}{'messages':>9}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}{'msg/s':>7}"
             f"  {'CPU ms/msg web/rasa/actions':>27}  {'p50 overhead':>12}  {'tput ratio':>10}"]
    marks = result["targets"]
    for level in result["levels"]:
        c = level["concurrency"]
        for path in PATHS:
            f = level[path]
            cpu = f.get("cpu_ms_per_message") or {}
            cpu_text = " / ".join(_num(cpu.get(role)) for role in ROLES) if cpu else "-"
            extra = ""
            if path == "stack":
                extra = f"  {_signed(level['p50_overhead_pct']):>12}  {_num(level['throughput_ratio']):>10}"
            lines.append(f"{c:>11} {path:<6}{f['messages']:>9}{f['errors']:>7}{_num(f['p50_ms']):>9}"
                         f"{_num(f['p95_ms']):>9}{_num(f['throughput']):>7}  {cpu_text:>27}{extra}")
    lines.append("")
    lines.append("p50 overhead = stack p50 / rasa p50 - 1; throughput ratio = stack msg/s / rasa msg/s;")
    lines.append("CPU ms/msg: CPU time each process used during the path's blocks, per message.")
    lines.append("")
    lines.append(f"{'process':<10}{'peak RSS MB':>12}")
    for role in ROLES + ("total",):
        lines.append(f"{role:<10}{_num(result['rss_mb'].get(role)):>12}")
    lines.append("")
    lines.append("Targets:")
    for level in result["levels"]:
        key = f"p50_overhead_c{level['concurrency']}"
        lines.append(f"  p50 overhead at concurrency {level['concurrency']} <= {P50_OVERHEAD_MAX_PCT:g} %: "
                     f"{_signed(level['p50_overhead_pct'])} {_verdict(marks.get(key))}")
    key = f"throughput_ratio_c{THROUGHPUT_TARGET_CONCURRENCY}"
    ratio = next((l["throughput_ratio"] for l in result["levels"] if l["concurrency"] == THROUGHPUT_TARGET_CONCURRENCY), None)
    lines.append(f"  throughput ratio at concurrency {THROUGHPUT_TARGET_CONCURRENCY} >= {THROUGHPUT_RATIO_MIN:g}: "
                 f"{_num(ratio)} {_verdict(marks.get(key))}")
    lines.append(f"  memory (peak RSS, web + rasa + actions) <= {MEMORY_MAX_MB:g} MB: "
                 f"{_num(result['rss_mb'].get('total'))} MB {_verdict(marks.get('memory'))}")
    load = result["load"]
    lines.append("")
    lines.append(f"Machine: {result['cores']} cores; load average (1/5/15 min) before {_loads(load.get('before'))}, "
                 f"after {_loads(load.get('after'))}.")
    if marks["all"] is False:
        lines.append("MISSED: " + ", ".join(k for k, v in marks.items() if v is False and k != "all"))
    else:
        lines.append("All targets met." if marks["all"] else "No target measured.")
    return "\n".join(lines)


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _signed(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:+.1f} %"


def _verdict(value: Optional[bool]) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[value]


def _loads(values: Optional[Sequence[float]]) -> str:
    return "-" if not values else " ".join(f"{v:.2f}" for v in values)


# --- running ------------------------------------------------------------------------------------

@dataclass
class Worker:
    sender: Optional[str] = None
    sent: int = 0
    logged_in: bool = False


@dataclass
class PathRun:
    """One path at one concurrency: its workers' conversations carry over from block to block."""
    path: str
    concurrency: int
    workers: List[Worker] = field(default_factory=list)
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Dict[str, int] = field(default_factory=dict)
    handoffs: int = 0
    conversations: int = 0
    elapsed: float = 0.0
    cpu_seconds: Optional[Dict[str, float]] = None

    def __post_init__(self) -> None:
        self.workers = [Worker() for _ in range(self.concurrency)]

    def add_cpu(self, before: Dict[str, float], after: Dict[str, float]) -> None:
        self.cpu_seconds = self.cpu_seconds or {role: 0.0 for role in before}
        for role in before:
            self.cpu_seconds[role] += max(0.0, after.get(role, 0.0) - before[role])

    def figures(self) -> Dict[str, Any]:
        figures = summarize(self.latencies, self.errors, self.elapsed, self.cpu_seconds)
        figures["handoffs"] = self.handoffs  # conversations the assistant handed to a colleague
        if self.error_kinds:
            figures["error_kinds"] = dict(self.error_kinds)
        return figures


class Client:
    """The benchmark's HTTP sessions: anonymous browsers, one logged-in browser, and Rasa."""

    def __init__(self, rasa_url: str, web_url: str, identity_secret: str, logged_in_share: float) -> None:
        self.rasa_url, self.web_url = rasa_url, web_url
        self.identity_key = identity_token.derive_key(identity_secret)
        self.logged_in_share = logged_in_share
        timeout = aiohttp.ClientTimeout(total=120)
        connector = dict(limit=0)
        # Anonymous browsers keep no cookies; the logged-in one keeps its session cookie (on an IP address).
        self.anonymous = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(**connector),
                                               cookie_jar=aiohttp.DummyCookieJar())
        self.person = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(**connector),
                                            cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.rasa = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(**connector),
                                          cookie_jar=aiohttp.DummyCookieJar())

    async def log_in(self) -> None:
        async with self.person.post(f"{self.web_url}/auth/test-login", headers={"Accept": "application/json"},
                                    data={"national_number": LOGGED_IN_PERSON.national_number}) as response:
            if response.status != 200:
                raise RuntimeError(f"the test login answered HTTP {response.status}")

    async def close(self) -> None:
        for session in (self.anonymous, self.person, self.rasa):
            await session.close()

    async def send(self, path: str, worker: Worker, item: Dict[str, Any]) -> Tuple[int, Any]:
        """HTTP status and the decoded body of one message on `path`."""
        if path == "stack":
            session = self.person if worker.logged_in else self.anonymous
            payload = {"conversation_id": worker.sender, "message": item["text"], "lang": item["lang"]}
            url = f"{self.web_url}/api/chat"
        else:
            session = self.rasa
            metadata: Dict[str, Any] = {"lang": item["lang"]}
            if worker.logged_in:  # what the web app adds for a logged-in person: Rasa's work is the same
                metadata["identity"] = identity_token.issue(LOGGED_IN_PERSON.national_number, self.identity_key)
            payload = {"sender": worker.sender, "message": item["text"], "metadata": metadata}
            url = f"{self.rasa_url}/webhooks/rest/webhook"
        async with session.post(url, json=payload) as response:
            body = await response.read()
            if response.status != 200:
                return response.status, None
            return 200, json.loads(body)


async def run_block(client: Client, run: PathRun, questions: List[Dict[str, Any]], start: int, count: int,
                    turns: int) -> None:
    next_index = 0
    prefix = "bench-s-" if run.path == "stack" else "bench-r-"

    async def work(worker: Worker) -> None:
        nonlocal next_index
        while next_index < count:
            item = questions[(start + next_index) % len(questions)]
            next_index += 1
            if worker.sender is None or worker.sent >= turns:
                worker.sender = prefix + uuid.uuid4().hex
                worker.sent = 0
                worker.logged_in = logged_in_conversation(run.conversations, client.logged_in_share)
                run.conversations += 1
            began = time.perf_counter()
            try:
                status, body = await client.send(run.path, worker, item)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                status, body = type(exc).__name__, None
            took = time.perf_counter() - began
            worker.sent += 1
            if status == 200:
                run.latencies.append(took)
                if is_handoff(run.path, body):
                    run.handoffs += 1
                    worker.sender = None  # handed off: the next message starts a new conversation
            else:
                run.errors += 1
                run.error_kinds[str(status)] = run.error_kinds.get(str(status), 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(work(worker) for worker in run.workers))
    run.elapsed += time.perf_counter() - began


async def run_level(client: Client, questions: List[Dict[str, Any]], concurrency: int, messages: int,
                    turns: int, block: int = 0, progress: Callable[[str], None] = lambda _: None,
                    cpu: Optional[Callable[[], Dict[str, float]]] = None) -> Dict[str, Any]:
    """Both paths at one concurrency, block after block; `cpu` gives each process's CPU seconds so far."""
    runs = {path: PathRun(path, concurrency) for path in PATHS}
    plan = block_plan(messages, concurrency, block)
    progress(f"  concurrency {concurrency}: {messages} messages per path in {len(plan)} alternating blocks ...")
    for path, number, start, count in plan:
        before = cpu() if cpu else None
        await run_block(client, runs[path], questions, start, count, turns)
        if cpu:
            runs[path].add_cpu(before, cpu())
    for run in runs.values():
        if run.errors:
            progress(f"  concurrency {concurrency}: {run.path} errors {run.error_kinds}")
    return level_figures(concurrency, runs["stack"].figures(), runs["rasa"].figures())


async def run_all(full: bench_stack.FullStack, questions: List[Dict[str, Any]], args: argparse.Namespace,
                  progress: Callable[[str], None]) -> List[Dict[str, Any]]:
    client = Client(full.rasa_url, full.web_url, full.identity_secret, args.logged_in)
    try:
        if args.logged_in > 0:
            await client.log_in()
        progress(f"Warming up both paths ({args.warmup} messages each) ...")
        await run_level(client, questions[::7], 2, args.warmup, turns=args.turns, block=args.warmup)
        levels = []
        for concurrency in args.concurrency:
            levels.append(await run_level(client, questions, concurrency, args.messages, args.turns, args.block,
                                          progress, cpu=lambda: bench_stack.cpu_snapshot(full.pids)))
        return levels
    finally:
        await client.close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=stack.DEFAULT_MODEL)
    parser.add_argument("--questions", type=Path, default=Path("eval/dev.jsonl"))
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--messages", type=int, default=160, help="messages per concurrency level and path")
    parser.add_argument("--turns", type=int, default=10, help="messages per conversation")
    parser.add_argument("--block", type=int, default=0,
                        help="messages per block, the paths alternating block by block "
                             f"(default: twice the concurrency, at least {MIN_BLOCK})")
    parser.add_argument("--logged-in", type=float, default=0.2,
                        help="share of the conversations that are a logged-in demo person's (0 to 1)")
    parser.add_argument("--warmup", type=int, default=20, help="messages per path before the first level")
    parser.add_argument("--workdir", type=Path, help="keep the databases and logs here (default: a temporary folder)")
    parser.add_argument("--check-targets", action="store_true", help="exit with 1 when a target is missed")
    args = parser.parse_args(argv)
    if not 0 <= args.logged_in <= 1:
        parser.error("--logged-in must be between 0 and 1")

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    questions = load_lines([args.questions])
    load_before = [round(v, 2) for v in os.getloadavg()]
    with _workdir(args.workdir) as workdir:
        progress(f"Starting the action server, Rasa and the web app in {workdir} ...")
        with bench_stack.running_full_stack(workdir, args.model) as full:
            missing = [role for role in ROLES if role not in full.pids]
            if missing:
                progress(f"Warning: no process found for {', '.join(missing)}: no memory figure for it")
            with bench_stack.MemorySampler(full.pids) as memory:
                levels = asyncio.run(run_all(full, questions, args, progress))
    load_after = [round(v, 2) for v in os.getloadavg()]
    result = report(
        levels, memory_figures(memory.peak_mb), cores=os.cpu_count(),
        load={"before": load_before, "after": load_after},
        settings={"messages": args.messages, "turns": args.turns, "block": args.block,
                  "logged_in": args.logged_in, "questions": str(args.questions)},
        date=datetime.date.today().isoformat(),
    )
    print()
    print(table(result))
    print(json.dumps(result))
    return 1 if args.check_targets and result["targets"]["all"] is False else 0


@contextlib.contextmanager
def _workdir(path: Optional[Path]) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        yield Path(folder)


if __name__ == "__main__":
    sys.exit(main())
