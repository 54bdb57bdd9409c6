"""The backend behind the API's HTTP integration: a tiny notes service on a free loopback port.

GET returns the stored notes; POST appends the JSON body. It answers with what it received, so a test can
see what the integration request (after its mapping template) looked like.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class NotesBackend:
    def __init__(self) -> None:
        self.notes = [{"UserId": "test", "NoteId": 1, "Note": "hello from the backend"}]
        self.received: list[dict] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                backend.received.append({"method": "GET", "path": self.path})
                self._reply({"notes": backend.notes})

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                backend.received.append({"method": "POST", "path": self.path, "body": body.decode()})
                self._reply({"stored": json.loads(body or b"null")})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
