"""Per-message latency (p50, p95) and throughput through Rasa's REST channel at several concurrencies.

    python -m tools.bench [--rasa-url URL] [--concurrency 1 8 32] [--messages 200] [--turns 10]

Each worker plays conversations of `--turns` messages one after the other, sending held-out questions
(eval/dev.jsonl) in turn: trackers grow as in real use, not without bound.
Prints a table and, last, one line of JSON with every figure.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp

from tools import rasa_client, stack
from tools.evaluate import load_lines


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def run_level(
    rasa_url: str, questions: List[Dict], concurrency: int, messages: int, turns: int = 10
) -> Dict[str, float]:
    latencies: List[float] = []
    errors = 0
    next_index = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal next_index, errors
        sent = 0
        while next_index < messages:
            if sent % turns == 0:
                sender = f"bench-{uuid.uuid4().hex}"
            item = questions[next_index % len(questions)]
            next_index += 1
            sent += 1
            started = time.perf_counter()
            try:
                await rasa_client.send(session, rasa_url, sender, item["text"], item["lang"])
                latencies.append(time.perf_counter() - started)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                errors += 1

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "messages": len(latencies),
        "errors": errors,
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1) if latencies else None,
        "throughput": round(len(latencies) / elapsed, 2),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    parser.add_argument("--model", type=Path, default=stack.DEFAULT_MODEL)
    parser.add_argument("--questions", type=Path, default=Path("eval/dev.jsonl"))
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--messages", type=int, default=200, help="messages per concurrency level")
    parser.add_argument("--turns", type=int, default=10, help="messages per conversation")
    args = parser.parse_args(argv)

    questions = load_lines([args.questions])
    results = []
    with stack.rasa_available(args.rasa_url, args.model) as rasa_url:
        print(f"Warming up against {rasa_url} ...", file=sys.stderr)
        asyncio.run(run_level(rasa_url, questions, 2, 20))
        for level in args.concurrency:
            print(f"  concurrency {level}: {args.messages} messages ...", file=sys.stderr)
            results.append(asyncio.run(run_level(rasa_url, questions, level, args.messages, args.turns)))
    print(f"\n{'concurrency':>12}{'messages':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'msg/s':>8}")
    for r in results:
        print(f"{r['concurrency']:>12}{r['messages']:>10}{r['errors']:>8}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['throughput']:>8}")
    print(f"\nMachine: {os.cpu_count()} cores.")
    print(json.dumps({"cores": os.cpu_count(), "rasa": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
