"""A tiny JSON-RPC client that speaks the Language Server Protocol to ``templating lsp``.

The server runs as a real process (``templating lsp`` through the CLI) over stdin/stdout,
framed with ``Content-Length`` headers as editors do; a reader thread queues everything the
server says so a test can wait for one notification with a deadline.
"""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

SERVER = [sys.executable, "-c", "import sys; from templating.cli import main; main()", "lsp"]


class LspClient:
    def __init__(self, root: Path, *, args=()):
        self.root = Path(root)
        self.process = subprocess.Popen(SERVER + list(args), cwd=root, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        self.seen: list[dict] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # -------------------------------------------------------------- wire
    def _read(self):
        stream = self.process.stdout
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    self.messages.put(None)
                    return
                header = header.decode("ascii").strip()
                if not header:
                    break
                if header.lower().startswith("content-length:"):
                    length = int(header.split(":", 1)[1])
            body = stream.read(length)
            self.messages.put(json.loads(body))

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict, timeout: float = 10):
        self.next_id += 1
        ident = self.next_id
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        message = self.wait(lambda m: m.get("id") == ident and "method" not in m, timeout)
        if "error" in message:
            raise AssertionError(f"{method} failed: {message['error']}")
        return message.get("result")

    def wait(self, predicate, timeout: float = 10) -> dict:
        """The first message (seen before or arriving within ``timeout``) that matches."""
        for message in self.seen:
            if predicate(message):
                self.seen.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching message within {timeout} s; "
                                     f"seen: {self.seen[-5:]}")
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError("the server closed its output: "
                                     + self.process.stderr.read().decode(errors="replace")[-2000:])
            if predicate(message):
                return message
            self.seen.append(message)

    # -------------------------------------------------------------- LSP
    def initialize(self) -> dict:
        result = self.request("initialize", {
            "processId": None, "rootUri": self.root.as_uri(),
            "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": "project"}]})
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str | None = None, version: int = 1) -> str:
        uri = Path(path).resolve().as_uri()
        text = Path(path).read_text(encoding="utf-8") if text is None else text
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "velocity-html", "version": version, "text": text}})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})

    def diagnostics(self, uri: str, timeout: float = 10, *, version: int | None = None,
                    where=None) -> dict:
        """The next publishDiagnostics for ``uri`` (of ``version``, matching ``where``)."""
        def matches(m):
            if m.get("method") != "textDocument/publishDiagnostics":
                return False
            params = m["params"]
            return params["uri"] == uri and (version is None or params.get("version") == version) \
                and (where is None or where(params["diagnostics"]))
        return self.wait(matches, timeout)["params"]

    def close(self) -> int:
        """Shut down politely; kill if the server does not exit in time."""
        try:
            if self.process.poll() is None:
                self.request("shutdown", None, timeout=5)
                self.notify("exit", None)
            return self.process.wait(timeout=5)
        except Exception:
            self.process.kill()
            self.process.wait(timeout=5)
            raise
        finally:
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                try:
                    stream.close()
                except OSError:
                    pass


def position(text: str, needle: str, offset: int = 0) -> dict:
    """LSP position (0-based, UTF-16) of ``needle``'s first occurrence plus ``offset``."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return {"line": line, "character": len(text[start:index].encode("utf-16-le")) // 2}
