"""The web app served on a free loopback port in a thread, for the browser tests."""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from werkzeug.serving import make_server


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` on 127.0.0.1:<free port>; yields its base URL ("http://127.0.0.1:PORT")."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
