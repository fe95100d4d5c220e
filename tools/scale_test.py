"""`make test-scale`: the scaled-out deployment under load, on real PostgreSQL and Redis.

    python -m tools.scale_test [--conversations 50] [--turns 20] [--rasa-instances 2]

Installs PostgreSQL and Redis from the distribution's packages when missing and starts them on loopback;
starts the action server (several Sanic workers), two Rasa instances sharing the PostgreSQL tracker
store and the Redis lock store (bot/endpoints.scale.yml), and the web app under gunicorn (several
workers, rate limits counted in Redis, the application database on PostgreSQL). Then it plays
`--conversations` conversations at the same time, `--turns` messages each, through the web app, some of
them logged in as demo employees, and checks:

- every message got HTTP 200 and at least one answer (no 5xx, no error, nothing unanswered);
- every conversation's Rasa tracker holds exactly the messages sent, in order, each one answered before
  the next, and the web app's transcript holds them in the same order;
- both Rasa instances did part of the work;
- with one Rasa instance killed, every conversation goes on (on the other instance, with its history),
  and once it is restarted it serves again.

Prints progress, a summary and one line of JSON; exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import requests

from tools import bench_stack, services, stack
from tools.evaluate import load_lines
from tools.scale_checks import tracker_problems, transcript_problems

ROOT = Path(__file__).resolve().parent.parent
# Demo employees (groupinsurance/demo_data.py) some conversations log in as.
LOGGED_IN = ("jan", "marie", "sofie", "pierre", "els")
HANDED_OFF_FAQS = {"27"}  # FAQ 27 hands the conversation to a colleague: not the assistant's load


@dataclass
class Conversation:
    id: str
    lang: str
    turns: List[str]
    login: Optional[str] = None
    latencies: List[float] = field(default_factory=list)  # of the load phase only
    failures: List[str] = field(default_factory=list)
    sent: List[str] = field(default_factory=list)
    # The conversation's browser: its cookies (the login) and its open connection to the web app.
    http: Optional[requests.Session] = field(default=None, repr=False)


def plan_conversations(count: int, turns: int, seed: int = 7) -> List[Conversation]:
    """Conversations of held-out questions (FAQ, articles, definitions); every fifth one logged in and
    asking about its own contracts too. The same plan for the same seed."""
    rng = random.Random(seed)
    general = [line for line in load_lines([ROOT / "eval" / "dev.jsonl"])
               if line["expect"]["kind"] in ("faq", "article", "definition")
               and not (line["expect"]["kind"] == "faq" and line["expect"]["id"] in HANDED_OFF_FAQS)]
    personal = [line for line in load_lines([ROOT / "eval" / "personal.jsonl"])
                if line["expect"].get("id") == "contract_status"]
    plan = []
    for index in range(count):
        lang = "nl" if index % 2 == 0 else "fr"
        questions = [line["text"] for line in general if line["lang"] == lang]
        texts = rng.sample(questions, turns)
        login = None
        if index % 5 == 0:
            from groupinsurance.demo_data import PERSONS

            login = PERSONS[LOGGED_IN[(index // 5) % len(LOGGED_IN)]].national_number
            own = [line["text"] for line in personal if line["lang"] == lang]
            for position in range(0, turns, 5):
                texts[position] = rng.choice(own)
        plan.append(Conversation(id=f"scale-{index:03d}-{secrets.token_hex(6)}", lang=lang, turns=texts, login=login))
    return plan


def play(web_url: str, conversation: Conversation, turns: Sequence[str], phase: str, timeout: float = 60.0) -> None:
    """Send `turns` one after the other, as a person would (each after the previous answer)."""
    http = conversation.http
    if http is None:
        http = conversation.http = requests.Session()
        if conversation.login:
            response = http.post(f"{web_url}/auth/test-login", data={"national_number": conversation.login},
                                 allow_redirects=False, timeout=timeout)
            if response.status_code not in (302, 303):
                conversation.failures.append(f"{phase}: login: HTTP {response.status_code}")
                return
    for text in turns:
        started = time.perf_counter()
        try:
            response = http.post(f"{web_url}/api/chat", timeout=timeout,
                                 json={"conversation_id": conversation.id, "message": text, "lang": conversation.lang})
        except requests.RequestException as error:
            conversation.failures.append(f"{phase}: {text[:40]!r}: {type(error).__name__}")
            continue
        conversation.latencies.append(time.perf_counter() - started)
        conversation.sent.append(text)
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        if response.status_code != 200:
            code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
            conversation.failures.append(f"{phase}: {text[:40]!r}: HTTP {response.status_code} {code or ''}".rstrip())
        elif not isinstance(body, dict) or not body.get("messages"):
            conversation.failures.append(
                f"{phase}: {text[:40]!r}: no answer ({'handed off' if body and body.get('handoff') else 'empty'})")


def play_all(web_url: str, conversations: List[Conversation], turns_of, label: str) -> float:
    """Every conversation at the same time (one thread each); prints progress; returns the seconds taken."""
    started = time.perf_counter()
    stop_progress = threading.Event()

    before = sum(len(c.latencies) for c in conversations)

    def progress() -> None:
        total = sum(len(turns_of(c)) for c in conversations)
        while not stop_progress.wait(5):
            sent = sum(len(c.latencies) for c in conversations) - before
            print(f"    {label}: {sent}/{total} messages, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    reporter = threading.Thread(target=progress, daemon=True)
    reporter.start()
    with ThreadPoolExecutor(max_workers=len(conversations)) as pool:
        for conversation in conversations:
            pool.submit(play, web_url, conversation, turns_of(conversation), label)
    stop_progress.set()
    return time.perf_counter() - started


def tracker(rasa_url: str, token: str, conversation_id: str) -> List[Dict]:
    response = requests.get(f"{rasa_url}/conversations/{conversation_id}/tracker",
                            params={"token": token, "include_events": "ALL"}, timeout=30)
    response.raise_for_status()
    return response.json().get("events", [])


def transcript(database_url: str) -> Dict[str, List[tuple]]:
    from sqlalchemy import select

    from groupinsurance import db
    from groupinsurance.models import ConversationMessage

    engine = db.make_engine(database_url)
    try:
        with db.make_session_factory(engine)() as session:
            rows = session.execute(
                select(ConversationMessage.conversation_id, ConversationMessage.author, ConversationMessage.text)
                .order_by(ConversationMessage.id)
            ).all()
    finally:
        engine.dispose()
    lines: Dict[str, List[tuple]] = {}
    for conversation_id, author, text in rows:
        lines.setdefault(conversation_id, []).append((author, text))
    return lines


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (Sanic workers), from /proc."""
    return bench_stack.cpu_snapshot({"process": pid})["process"]


@contextlib.contextmanager
def running_web(env: Dict[str, str], workdir: Path, workers: int, threads: int) -> Iterator[str]:
    """The web app under gunicorn (gthread workers) on a free loopback port."""
    port = stack.free_port()
    url = f"http://127.0.0.1:{port}"
    web = stack.Service(
        "the web app (gunicorn)",
        [str(stack.BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--worker-class", "gthread", "--timeout", "120",
         # Load the app once, before forking: the gettext catalogs are compiled once, not by
         # every worker at the same time.
         "--preload", "web:create_app()"],
        ROOT, env, workdir / f"web-{port}.log", lambda: stack._ok(f"{url}/api/i18n/nl"), 60,
    )
    with web.running():
        yield url


def scale_environment(postgres: services.Postgres, redis: services.Redis, tracker_db: str, app_db_url: str,
                      action_workers: int) -> Dict[str, str]:
    """What README's "Scaling out" sets: PostgreSQL for trackers and the app, Redis for locks and rate limits."""
    return {
        "DATABASE_URL": app_db_url,
        "IDENTITY_TOKEN_SECRET": "scale-" + secrets.token_urlsafe(40),
        "TRACKER_DB_HOST": postgres.host, "TRACKER_DB_PORT": str(postgres.port), "TRACKER_DB_NAME": tracker_db,
        "TRACKER_DB_USER": postgres.user, "TRACKER_DB_PASSWORD": "",
        "LOCK_STORE_HOST": redis.host, "LOCK_STORE_PORT": str(redis.port), "LOCK_STORE_DB": "0",
        "LOCK_STORE_PASSWORD": "",
        "ACTION_SERVER_SANIC_WORKERS": str(action_workers),
        "RATELIMIT_STORAGE_URI": redis.url(1),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--rasa-instances", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--action-workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "scale")
    args = parser.parse_args(argv)
    if args.rasa_instances < 2:
        parser.error("--rasa-instances must be at least 2 (the test kills one)")

    args.workdir.mkdir(parents=True, exist_ok=True)
    problems: List[str] = []
    print("==> Scale test: PostgreSQL, Redis, actions, "
          f"{args.rasa_instances} Rasa instances, gunicorn ({args.web_workers} workers)", file=sys.stderr, flush=True)
    services.ensure_installed()
    plan = plan_conversations(args.conversations, args.turns)
    with services.running_postgres(args.workdir) as postgres, services.running_redis(args.workdir) as redis:
        postgres.create_database("groupinsurance")
        postgres.create_database("rasa_tracker")
        app_db = postgres.url("groupinsurance")
        from groupinsurance import demo_data

        demo_data.migrate_and_load(app_db)
        overrides = scale_environment(postgres, redis, "rasa_tracker", app_db, args.action_workers)
        print("    starting the action server and Rasa (about a minute)", file=sys.stderr, flush=True)
        with stack.running_stack(workdir=args.workdir, env_overrides=overrides,
                                 rasa_instances=args.rasa_instances, endpoints="endpoints.scale.yml") as running:
            web_env = dict(running.env, RASA_URLS=",".join(running.rasa_urls),
                           # The load comes from one address: the per-client limits would refuse it.
                           CHAT_RATE_LIMIT="100000/minute", LOGIN_RATE_LIMIT="10000/minute",
                           WEB_TRANSLATIONS_BUILD_DIR=str(args.workdir / "translations"))
            with running_web(web_env, args.workdir, args.web_workers, threads=32) as web_url:
                rasa_names = [name for name in running.services if name.startswith("rasa")]
                cpu_before = {name: cpu_seconds(running.services[name].pid) for name in rasa_names}

                print(f"==> {len(plan)} conversations x {args.turns} messages at the same time", file=sys.stderr, flush=True)
                seconds = play_all(web_url, plan, lambda c: c.turns, "load")
                latencies = [s for c in plan for s in c.latencies]
                cpu_used = {name: round(cpu_seconds(running.services[name].pid) - cpu_before[name], 1) for name in rasa_names}
                idle = [name for name, used in cpu_used.items() if used < 0.1 * sum(cpu_used.values())]
                if idle:
                    problems.append(f"Rasa instance(s) {', '.join(idle)} did (almost) none of the work: {cpu_used}")

                # One instance crashes: every conversation goes on, on the other one, with its history.
                victim = rasa_names[-1]
                print(f"==> Killing {victim}; one more message in every conversation", file=sys.stderr, flush=True)
                running.services[victim].kill()
                extra_after_kill = {c.id: c.turns[0] for c in plan}
                play_all(web_url, plan, lambda c: [extra_after_kill[c.id]], "after the kill")
                print(f"==> Restarting {victim}; one more message in every conversation", file=sys.stderr, flush=True)
                running.services[victim].start()
                running.services[victim].wait_ready()
                cpu_restarted = cpu_seconds(running.services[victim].pid)
                play_all(web_url, plan, lambda c: [c.turns[1]], "after the restart")
                if cpu_seconds(running.services[victim].pid) - cpu_restarted < 0.2:
                    problems.append(f"{victim} did no work after its restart")
                for conversation in plan:
                    problems += [f"{conversation.id}: {failure}" for failure in conversation.failures]

                print("==> Checking every tracker and transcript", file=sys.stderr, flush=True)
                lines = transcript(app_db)
                for conversation in plan:
                    events = tracker(running.rasa_urls[0], running.env["RASA_TOKEN"], conversation.id)
                    problems += [f"{conversation.id}: tracker: {p}" for p in tracker_problems(events, conversation.sent)]
                    problems += [f"{conversation.id}: transcript: {p}"
                                 for p in transcript_problems(lines.get(conversation.id, []), conversation.sent)]

    messages = sum(len(c.sent) for c in plan)
    summary = {
        "conversations": len(plan), "turns": args.turns, "messages": messages,
        "rasa_instances": args.rasa_instances, "web_workers": args.web_workers, "action_workers": args.action_workers,
        "load_seconds": round(seconds, 1), "throughput": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(1000 * sorted(latencies)[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
        "rasa_cpu_seconds": cpu_used, "problems": len(problems), "cores": os.cpu_count(),
    }
    print(f"\n{messages} messages in {len(plan)} conversations; load phase {summary['load_seconds']} s, "
          f"{summary['throughput']} msg/s, p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms; "
          f"Rasa CPU seconds per instance {cpu_used}")
    for problem in problems[:50]:
        print(f"FAILED: {problem}")
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more")
    print("Scale test " + ("passed" if not problems else "FAILED"))
    print(json.dumps(summary))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
