"""A pack's recorded HTTP answers (`PACK/http/`), served on loopback while the pack is evaluated.

Adopters' status pages and search APIs are HTTP; a pack records their answers as files
(`http/statuspage/api/v2/incidents.json`) and the domain points its HTTP source at
`${SUPPORTFLOW_PACK_HTTP}/statuspage`. The server is read-only and listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PACK_HTTP_ENV = "SUPPORTFLOW_PACK_HTTP"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_pack_http(pack: Path) -> Iterator[dict[str, str]]:
    """The environment a fleet needs for the pack's HTTP answers (empty when it has none)."""
    folder = pack / "http"
    if not folder.is_dir():
        yield {}
        return
    handler = functools.partial(_Quiet, directory=str(folder.resolve()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="pack-http", daemon=True)
    thread.start()
    try:
        yield {PACK_HTTP_ENV: f"http://127.0.0.1:{server.server_address[1]}"}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
