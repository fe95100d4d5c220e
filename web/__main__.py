"""`python -m web`: serve the web app, by default on 127.0.0.1:5000 (WEB_HOST, WEB_PORT).

The embedded default `make run` starts (the Procfile's `web` line): gunicorn with one worker process of
64 threads, on loopback, in front of the Rasa on the same machine. Gunicorn rather than Werkzeug's
development server because it keeps the browser's connection open between requests (Werkzeug closes
each one and starts a thread per request: 3-4 ms more per message, measured with tools/bench_profile.py).
Options override the environment; WEB_WORKERS and WEB_THREADS size it.
"""
import argparse
import os

from gunicorn.app.base import BaseApplication

from web import create_app


class Server(BaseApplication):
    """Gunicorn serving an app object built here (no import string, no config file)."""

    def __init__(self, app, options):
        self.application, self.options = app, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__.splitlines()[0])
    parser.add_argument("--host", help="interface to listen on (default: WEB_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: WEB_PORT or 5000)")
    parser.add_argument("--rasa-url", help="Rasa's base URL (default: RASA_URL or http://127.0.0.1:$RASA_PORT)")
    args = parser.parse_args(argv)
    overrides = {}
    if args.rasa_url:
        overrides["RASA_URL"] = args.rasa_url.rstrip("/")
    app = create_app(overrides)
    host = args.host or app.config["WEB_HOST"]
    port = args.port or app.config["WEB_PORT"]
    print(f" * Web app on http://{host}:{port}, Rasa at {app.config['RASA_URL']}", flush=True)
    Server(app, {
        "bind": f"{host}:{port}",
        "workers": int(os.environ.get("WEB_WORKERS", "1")),
        # Threads mostly wait for Rasa. Fewer threads than people waiting would make this app the queue
        # in front of Rasa (measured: with 16, +20 % p50 at 32 concurrent conversations; with 64, +9 %).
        "threads": int(os.environ.get("WEB_THREADS", "64")),
        "worker_class": "gthread",
        # Rasa may take up to RASA_TIMEOUT to answer; gunicorn must not kill the worker before that.
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 5,
        "loglevel": "warning",
    }).run()


if __name__ == "__main__":
    main()
