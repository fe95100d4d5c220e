"""Where the web app spends its time per POST /api/chat: the web app in this process (threaded werkzeug
server, as `python -m web`) in front of a real Rasa and action server, one message at a time, with
the time of each part measured around it and cProfile on every request.

    python -m tools.bench_profile [--messages 150] [--logged-in 0.2] [--top 25]

Prints, per message (medians, ms): the client's round trip; the server-side request (WSGI call); the
call to Rasa inside it (web/rasa.py); the two database transactions; the rest (Flask, Flask-Limiter,
Babel, login, masking, JSON). Then the same questions straight to Rasa for comparison, and cProfile's
top functions by cumulative and own CPU time over all the requests.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import logging
import pstats
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import requests
from werkzeug.serving import make_server

from groupinsurance import identity_token
from tools import stack
from tools.bench import LOGGED_IN_PERSON, logged_in_conversation
from groupinsurance.demo_data import migrate_and_load
from tools.bench_stack import BENCH_RATE_LIMIT
from tools.evaluate import load_lines

TIMES: Dict[str, List[float]] = defaultdict(list)
_local = threading.local()


@contextlib.contextmanager
def timed(name: str):
    began = time.perf_counter()
    try:
        yield
    finally:
        _local.parts[name] = _local.parts.get(name, 0.0) + time.perf_counter() - began


def new_profiler() -> cProfile.Profile:
    """cProfile on the request thread's CPU time: waiting on Rasa or on the disk does not count."""
    return cProfile.Profile(time.thread_time)


# The profiler the requests run under; replaced by a fresh one after the warm-up.
PROFILER: List[cProfile.Profile] = [new_profiler()]
PROFILING = True  # off with --no-profile: the times above without the profiler's own cost


def instrument(app):
    """Wrap the WSGI app (total + cProfile), the Rasa client's send and the database's transactions."""
    from web import extensions

    rasa = extensions.rasa
    original_send = rasa.send

    def send(*args, **kwargs):
        with timed("rasa"):
            return original_send(*args, **kwargs)

    rasa.send = send

    database = extensions.database
    original_begin = database.begin

    @contextlib.contextmanager
    def begin():
        with timed("db"):
            with original_begin() as session:
                yield session

    database.begin = begin

    wsgi = app.wsgi_app

    def profiled(environ, start_response):
        if environ.get("PATH_INFO") != "/api/chat":
            return wsgi(environ, start_response)
        _local.parts = {}
        began = time.perf_counter()
        profiler = PROFILER[0] if PROFILING else None
        if profiler:
            profiler.enable()
        try:
            body = list(wsgi(environ, start_response))
        finally:
            if profiler:
                profiler.disable()
        total = time.perf_counter() - began
        parts = _local.parts
        TIMES["wsgi"].append(total)
        TIMES["rasa"].append(parts.get("rasa", 0.0))
        TIMES["db"].append(parts.get("db", 0.0))
        TIMES["rest"].append(total - parts.get("rasa", 0.0) - parts.get("db", 0.0))
        return body

    app.wsgi_app = profiled


def _group(filename: str, function: str) -> str:
    """A profile entry's package: site-packages/<name>, this repository's top folder, the standard library."""
    if filename == "~":  # built-in functions: name the C module where it is one
        for module in ("sqlite3", "socket", "_thread", "json", "select", "_ssl"):
            if module in function:
                return f"builtin {module}"
        return "builtin other"
    if filename.startswith("<"):
        return "generated code"  # SQLAlchemy's and dataclasses' functions compiled from strings
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    try:
        return path.resolve().relative_to(stack.ROOT).parts[0] + "/ (this repository)"
    except ValueError:
        return "standard library"


def median_ms(values: List[float]) -> float:
    return round(1000 * statistics.median(values), 2)


def measure(workdir: Path, questions: List[Dict], args: argparse.Namespace) -> Dict[str, List[float]]:
    """Both paths, message by message (alternating which goes first); the client's times per path."""
    database_url = f"sqlite:///{workdir / 'app.db'}"
    migrate_and_load(database_url)
    secret = "bench-profile-" + "x" * 40
    overrides = {"DATABASE_URL": database_url, "IDENTITY_TOKEN_SECRET": secret}
    with stack.running_stack(workdir=workdir, env_overrides=overrides) as running:
        from web import create_app

        app = create_app({
            "RASA_URL": running.rasa_url, "RASA_URLS": (running.rasa_url,), "DATABASE_URL": database_url,
            "IDENTITY_TOKEN_SECRET": secret, "RASA_TOKEN": running.env["RASA_TOKEN"],
            "CHAT_RATE_LIMIT": BENCH_RATE_LIMIT, "LOGIN_RATE_LIMIT": BENCH_RATE_LIMIT,
            "TRANSLATIONS_BUILD_DIR": str(workdir / "translations"),
        })
        instrument(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        web_url = f"http://127.0.0.1:{server.server_port}"
        anonymous, person, bare = requests.Session(), requests.Session(), requests.Session()
        person.post(f"{web_url}/auth/test-login", data={"national_number": LOGGED_IN_PERSON.national_number},
                    headers={"Accept": "application/json"}).raise_for_status()
        key = identity_token.derive_key(secret)
        client = {"stack": [], "rasa": []}
        conversation = {"stack": None, "rasa": None}
        for i in range(args.messages + 10):
            item = questions[i % len(questions)]
            number = i // args.turns
            if i % args.turns == 0:
                conversation = {p: f"prof-{p[0]}-{uuid.uuid4().hex}" for p in ("stack", "rasa")}
            logged_in = logged_in_conversation(number, args.logged_in)
            for path in (("stack", "rasa") if i % 2 else ("rasa", "stack")):
                began = time.perf_counter()
                if path == "stack":
                    session = person if logged_in else anonymous
                    response = session.post(f"{web_url}/api/chat", json={
                        "conversation_id": conversation[path], "message": item["text"], "lang": item["lang"]})
                else:
                    metadata = {"lang": item["lang"]}
                    if logged_in:
                        metadata["identity"] = identity_token.issue(LOGGED_IN_PERSON.national_number, key)
                    response = bare.post(f"{running.rasa_url}/webhooks/rest/webhook", json={
                        "sender": conversation[path], "message": item["text"], "metadata": metadata})
                took = time.perf_counter() - began
                response.raise_for_status()
                if i >= 10:
                    client[path].append(took)
            if i == 9:  # the first 10 were the warm-up
                for values in TIMES.values():
                    values.clear()
                PROFILER[0] = new_profiler()
        server.shutdown()
    return client


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=150)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--logged-in", type=float, default=0.2)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-profile", action="store_true", help="only the times, without cProfile's overhead")
    args = parser.parse_args(argv)
    global PROFILING
    PROFILING = not args.no_profile
    questions = load_lines([Path("eval/dev.jsonl")])
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as folder:
        client = measure(Path(folder), questions, args)
    print(f"{args.messages} messages at concurrency 1, medians in ms:")
    print(f"  bare Rasa, client round trip (keep-alive):  {median_ms(client['rasa'])}")
    print(f"  stack, client round trip:                   {median_ms(client['stack'])}")
    print(f"    server side (WSGI call):                  {median_ms(TIMES['wsgi'])}")
    print(f"      call to Rasa (web/rasa.py):             {median_ms(TIMES['rasa'])}")
    print(f"      two database transactions:              {median_ms(TIMES['db'])}")
    print(f"      the rest (Flask, limiter, login, JSON): {median_ms(TIMES['rest'])}")
    overhead = [s - r for s, r in zip(client["stack"], client["rasa"])]
    print(f"  stack - bare, paired per message:           {median_ms(overhead)}")
    print(f"  web app's own time (WSGI - Rasa call):      "
          f"{median_ms([w - r for w, r in zip(TIMES['wsgi'], TIMES['rasa'])])}")
    print(f"  Rasa call from the web app - bare round trip: "
          f"{median_ms([r - b for r, b in zip(TIMES['rasa'], client['rasa'])])}")
    if not PROFILING:
        return 0
    stats = pstats.Stats(PROFILER[0])
    groups: Dict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        groups[_group(filename, function)] += tottime
    requests_seen = max(1, len(TIMES["wsgi"]))
    print("\nOwn CPU time per request by package (cProfile, ms; the profiler inflates pure-Python code):")
    for name, seconds in sorted(groups.items(), key=lambda item: -item[1])[:15]:
        print(f"  {name:<34}{1000 * seconds / requests_seen:8.2f}")
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(PROFILER[0], stream=out).sort_stats(sort).print_stats(args.top)
        print(f"\ncProfile over {len(TIMES['wsgi'])} requests, by {sort} (the request thread's CPU time):")
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
