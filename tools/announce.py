"""Wait until the assistant and the web app answer, then print where to reach them (run by `make run`)."""
import os
import signal
import sys
import time

import requests

TIMEOUT_S = 300


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def main() -> None:
    rasa_url = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    web_url = f"http://127.0.0.1:{os.environ.get('WEB_PORT', '5000')}"
    started = time.monotonic()
    print("Loading the model (tens of seconds)...", flush=True)
    waiting_for = {"Rasa": f"{rasa_url}/webhooks/rest/", "The web app": f"{web_url}/api/health"}
    while waiting_for:
        for name, url in list(waiting_for.items()):
            if _answers(url):
                del waiting_for[name]
        if not waiting_for:
            break
        if time.monotonic() - started > TIMEOUT_S:
            names = " and ".join(waiting_for)
            print(f"{names} did not come up within 5 minutes; see the log lines above.", flush=True)
            sys.exit(1)
        time.sleep(1)
    print(
        f"\n  The assistant is ready ({time.monotonic() - started:.0f} s).\n"
        f"  Portal with the chat widget: {web_url}\n"
        f"  Widget API: {web_url}/api/openapi.json (POST {web_url}/api/chat)\n"
        f"  Rasa REST channel: POST {rasa_url}/webhooks/rest/webhook\n"
        "  Press Ctrl-C to stop.\n",
        flush=True,
    )
    # honcho stops every process when one exits: stay until it stops us.
    signal.pause()


if __name__ == "__main__":
    main()
