"""`python -m web`: serve the web app on WEB_HOST:WEB_PORT (127.0.0.1:5000 by default).

This is the embedded default `make run` uses (the Procfile's `web` line): a threaded server on loopback.
"""
from web import create_app


def main() -> None:
    app = create_app()
    host, port = app.config["WEB_HOST"], app.config["WEB_PORT"]
    print(f" * Web app on http://{host}:{port} (Rasa at {app.config['RASA_URL']})", flush=True)
    app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
