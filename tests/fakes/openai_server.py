"""A local HTTP server speaking the OpenAI chat-completions protocol, for litellm tests.

Each request takes the next scenario from a queue (or the default): a good
judgement, malformed JSON, invented evidence, HTTP 429, HTTP 500, or a reply
slower than the client's timeout. Requests are kept for inspection.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _payload(request: dict[str, Any]) -> dict[str, Any]:
    user = request["messages"][-1]["content"]
    m = re.search(r"<interview>\s*(\{.*\})\s*</interview>", user, flags=re.S)
    return json.loads(m.group(1)) if m else {}


def good_judgement(payload: dict[str, Any]) -> dict[str, Any]:
    """Covers the first rubric point with the candidate's first words; probes the last."""
    answer = " ".join(t["candidate"] for t in payload["thread"])
    quote = " ".join(answer.split()[:6])
    points = [{"id": p["id"], "covered": i == 0, "evidence": quote if i == 0 else ""}
              for i, p in enumerate(payload["rubric"])]
    target = payload["rubric"][-1]["id"]
    return {"points": points, "action": "follow_up", "target_point": target,
            "follow_up": "You mentioned a few parts. Walk me through how you would check "
                         "that one works.",
            "reason": f"{target} is the most important point not yet covered"}


def invented_judgement(payload: dict[str, Any]) -> dict[str, Any]:
    """Claims every point, quoting words the candidate never said."""
    points = [{"id": p["id"], "covered": True,
               "evidence": "the candidate explained this thoroughly with benchmarks"}
              for p in payload["rubric"]]
    return {"points": points, "action": "move_on", "target_point": None, "follow_up": None,
            "reason": "everything was covered"}


class FakeOpenAI:
    def __init__(self, default: str = "good", slow_s: float = 4.0):
        self.scenarios: deque[str] = deque()
        self.default = default
        self.slow_s = slow_s
        self.requests: list[dict[str, Any]] = []
        self.served: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "body": body})
                scenario = fake.scenarios.popleft() if fake.scenarios else fake.default
                fake.served.append(scenario)
                if scenario == "429":
                    return self._send(429, {"error": {"message": "Rate limit reached",
                                                      "type": "rate_limit_error"}})
                if scenario == "500":
                    return self._send(500, {"error": {"message": "The server had an error",
                                                      "type": "server_error"}})
                if scenario == "slow":
                    time.sleep(fake.slow_s)
                payload = _payload(body)
                if scenario == "malformed":
                    content = '{"points": [ {"id": "oops", covered: yes'
                elif scenario == "invented":
                    content = json.dumps(invented_judgement(payload))
                else:
                    content = json.dumps(good_judgement(payload))
                self._send(200, {
                    "id": f"chatcmpl-{len(fake.requests)}", "object": "chat.completion",
                    "created": int(time.time()), "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 812, "completion_tokens": 96,
                              "total_tokens": 908},
                })

            def _send(self, status: int, obj: dict[str, Any]) -> None:
                data = json.dumps(obj).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the slow scenario)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
