"""Drives headless Chromium through Swagger UI's "Try it out" upload (see
scripts/browser-docs-test). Python's standard library only: a minimal WebSocket
client (RFC 6455, text frames) for the Chrome DevTools Protocol.

  python3 scripts/browser-docs-test.py BASE_URL WORK_DIR
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request

BASE, WORK = sys.argv[1], sys.argv[2]
OPERATION = "#operations-documents-post_api_candidates_candidate_id_documents"


def api(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, method=method, headers=headers, data=data)
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if response.headers.get("Content-Type", "").startswith("application/json") else raw


class DevTools:
    """One WebSocket to a page target; `call` sends a command and waits for its result."""

    def __init__(self, url):
        host_port, path = url[len("ws://"):].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError("DevTools refused the WebSocket: " + head.decode(errors="replace"))
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _message(self):
        parts = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0, 1):
                parts += payload
                if first & 0x80:
                    return json.loads(parts)

    def call(self, method, **params):
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = self._message()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression, what, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # A candidate, signed in: they may upload to themselves.
    password = base64.b16encode(os.urandom(12)).decode()
    api("POST", "/api/auth/signup", {"email": "browser@example.com", "password": password, "full_name": "Browser Test"})
    token = api("POST", "/api/auth/login", {"email": "browser@example.com", "password": password})["access_token"]
    me = api("GET", "/api/auth/me", token=token)["id"]
    pdf = os.path.join(WORK, "résumé.pdf")
    content = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    with open(pdf, "wb") as f:
        f.write(content)

    debug_port = free_port()
    browser = subprocess.Popen([
        "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        f"--user-data-dir={os.path.join(WORK, 'chromium')}", f"--remote-debugging-port={debug_port}",
        # Nothing but this machine resolves: Swagger UI must come from ATS_DOCS_ASSETS.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "about:blank",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        targets = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json/list", timeout=2) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if not targets:
            raise RuntimeError("Chromium did not start its DevTools endpoint")
        page = DevTools(targets[0]["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("DOM.enable")
        page.call("Page.navigate", url=BASE + "/docs")
        page.wait(f"!!document.querySelector('{OPERATION}')", "Swagger UI to render the upload operation (from the local assets)")
        cdn = page.js("performance.getEntriesByType('resource').filter(e => !e.name.startsWith(location.origin)).map(e => e.name)")
        if cdn:
            raise RuntimeError(f"/docs loaded files from elsewhere: {cdn}")

        # Authorize as the candidate, then the operation: expand, Try it out, candidate_id.
        page.js(f"window.ui.preauthorizeApiKey('BearerAuth', {json.dumps(token)}); true")
        page.js(f"document.querySelector('{OPERATION} .opblock-summary-control').click(); true")
        page.wait(f"!!document.querySelector('{OPERATION} .try-out__btn')", "the Try it out button")
        page.js(f"document.querySelector('{OPERATION} .try-out__btn').click(); true")
        page.wait(f"!!document.querySelector('{OPERATION} tr[data-param-name=\"candidate_id\"] input')", "the candidate_id field")
        page.js(f"""(() => {{
            const input = document.querySelector('{OPERATION} tr[data-param-name="candidate_id"] input');
            Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, '{me}');
            input.dispatchEvent(new Event('input', {{ bubbles: true }}));
            input.dispatchEvent(new Event('change', {{ bubbles: true }}));
            return true; }})()""")
        media = page.js(f"(document.querySelector('{OPERATION} .opblock-section-request-body select') || {{}}).value")
        if media != "multipart/form-data":
            raise RuntimeError(f"the request body's media type is {media!r}, expected multipart/form-data first")
        page.wait(f"!!document.querySelector('{OPERATION} input[type=file]')", "the file picker of the file part")
        root = page.call("DOM.getDocument", depth=-1)["root"]["nodeId"]
        node = page.call("DOM.querySelector", nodeId=root, selector=f"{OPERATION} input[type=file]")["nodeId"]
        page.call("DOM.setFileInputFiles", nodeId=node, files=[pdf])
        time.sleep(0.3)
        page.js(f"document.querySelector('{OPERATION} .execute').click(); true")
        status = page.wait(f"(document.querySelector('{OPERATION} .live-responses-table tr.response .response-col_status') || {{}}).textContent",
                           "the response in the page")
        body = page.js(f"(document.querySelector('{OPERATION} .live-responses-table .response-col_description pre') || {{}}).textContent")
        if status.strip() != "201":
            raise RuntimeError(f"Swagger UI's upload answered {status.strip()}: {body}")
        document = json.loads(body)
        stored = api("GET", f"/api/documents/{document['id']}/content", token=token)
        if stored != content or document["filename"] != "résumé.pdf" or document["content_type"] != "application/pdf":
            raise RuntimeError(f"the stored document differs: {document}")
        print(f"==> Swagger UI uploaded {document['filename']} ({document['size']} bytes, 201) through headless Chromium, from local assets")
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()


try:
    main()
except Exception as error:  # noqa: BLE001 - report any failure as the test's verdict
    print(f"FAIL: {error}", file=sys.stderr)
    sys.exit(1)
