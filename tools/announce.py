"""Wait until the assistant answers, then print where to reach it (run by `make run` beside the servers)."""
import os
import signal
import sys
import time

import requests


def main() -> None:
    rasa_url = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    started = time.monotonic()
    print("Loading the model (tens of seconds)...", flush=True)
    while True:
        try:
            if requests.get(f"{rasa_url}/webhooks/rest/", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        if time.monotonic() - started > 300:
            print("Rasa did not come up within 5 minutes; see its log lines above.", flush=True)
            sys.exit(1)
        time.sleep(1)
    print(
        f"\n  The assistant is ready ({time.monotonic() - started:.0f} s).\n"
        f"  REST channel: POST {rasa_url}/webhooks/rest/webhook\n"
        "  Press Ctrl-C to stop.\n",
        flush=True,
    )
    # honcho stops every process when one exits: stay until it stops us.
    signal.pause()


if __name__ == "__main__":
    main()
