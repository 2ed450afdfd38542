"""A real local HTTP server that speaks the OpenAI chat and Anthropic messages protocols."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Behaviour:
    text: str = ""
    delay_s: float = 0.0
    fail_first: int = 0  # answer 503 this many times before succeeding
    requests: list[dict[str, Any]] = field(default_factory=list)


class LlmHandler(BaseHTTPRequestHandler):
    behaviour: Behaviour

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length))
        behaviour = self.server.behaviour  # type: ignore[attr-defined]
        behaviour.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if behaviour.fail_first > 0:
            behaviour.fail_first -= 1
            self._send(503, {"error": "overloaded"})
            return
        if behaviour.delay_s:
            time.sleep(behaviour.delay_s)
        if self.path == "/v1/chat/completions":
            payload: dict[str, Any] = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": behaviour.text}}],
            }
        elif self.path == "/v1/messages":
            payload = {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": behaviour.text}],
                "stop_reason": "end_turn",
            }
        else:
            self._send(404, {"error": "not found"})
            return
        self._send(200, payload)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left


@pytest.fixture
def llm_endpoint() -> Iterator[tuple[str, Behaviour]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), LlmHandler)
    server.daemon_threads = True
    behaviour = Behaviour()
    server.behaviour = behaviour  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", behaviour
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
