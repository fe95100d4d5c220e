"""`python -m web`: serve the web app, by default on 127.0.0.1:5000 (WEB_HOST, WEB_PORT).

The embedded default `make run` starts (the Procfile's `web` line): a threaded server on loopback, in
front of the Rasa on the same machine. Options override the environment.
"""
import argparse

from werkzeug.serving import make_server

from web import create_app


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
    # Werkzeug's threaded server: enough for the embedded, loopback-only default. A deployment puts the
    # WSGI app `web:create_app()` behind a production server instead.
    server = make_server(host, port, app, threaded=True)
    print(f" * Web app on http://{host}:{port}, Rasa at {app.config['RASA_URL']}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
