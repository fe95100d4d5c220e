"""What the live updates cost: the widget's poll (GET /api/chat/{id}/messages) side by side with the
cheapest API route (GET /api/i18n/nl), in one run, against the web app on loopback (threaded werkzeug
server, SQLite in a temporary folder, a handed-off conversation of 40 lines).

    python -m tools.bench_polling [--requests 300]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # live_server: the same small server the browser tests use

from groupinsurance import db, handoff  # noqa: E402
from live_server import serving  # noqa: E402
from web import create_app  # noqa: E402

CONVERSATION = "pollpoll00000001"


def measure(url: str, count: int, concurrency: int):
    def one(_):
        started = time.perf_counter()
        requests.get(url, timeout=10).raise_for_status()
        return (time.perf_counter() - started) * 1000

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        latencies = sorted(pool.map(one, range(count)))
        elapsed = time.perf_counter() - started
    return statistics.median(latencies), latencies[int(len(latencies) * 0.95)], count / elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/app.db"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.make_session_factory(engine).begin() as session:
        record = handoff.conversation(session, CONVERSATION)
        for i in range(40):
            handoff.add_message(session, record, "person" if i % 2 else "assistant", f"bericht {i}")
        handoff.escalate(session, record, "request_human")
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "TRANSLATIONS_BUILD_DIR": f"{folder}/translations"})
    with serving(app) as base:
        for concurrency in (1, 8):
            poll = measure(f"{base}/api/chat/{CONVERSATION}/messages?after=38", args.requests, concurrency)
            cheap = measure(f"{base}/api/i18n/nl", args.requests, concurrency)
            print(f"c={concurrency}: poll p50 {poll[0]:.1f} ms, p95 {poll[1]:.1f} ms, {poll[2]:.0f} req/s | "
                  f"i18n p50 {cheap[0]:.1f} ms, {cheap[2]:.0f} req/s | p50 ratio {poll[0] / cheap[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
