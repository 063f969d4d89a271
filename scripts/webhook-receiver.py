#!/usr/bin/env python3
"""A webhook receiver for the tests: HTTPS (cert, key) or plain HTTP on 127.0.0.1.

Usage: webhook-receiver.py LOG CONTROL [CERT KEY]
Prints "listening PORT". Each request is appended to LOG as one JSON line
{"path", "headers", "body", "status"} once it has been answered. CONTROL is a file
whose content picks the answer: "" or "ok" -> 200, a number -> that status,
"hold" -> never answers (until the file changes), "redirect" -> 302 to /elsewhere.
A request is logged just before its answer is written; one logged with a 2xx "status"
is what "delivered" means to a receiver. Head and body go out in one write.
"""
import http.server, json, os, ssl, sys, threading, time

log_path, control_path = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def mode():
    try:
        with open(control_path) as f:
            return f.read().strip()
    except OSError:
        return ""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        m = mode()
        if m == "hold":
            with open(os.path.join(os.path.dirname(log_path), os.path.basename(log_path) + ".holding"), "w") as f:
                f.write("1")
            while mode() == "hold":
                time.sleep(0.05)
            return  # the connection is dropped: never answered
        status = 200
        if m == "redirect":
            status = 302
        elif m.isdigit():
            status = int(m)
        payload = b"{}"
        # Head and body in one write, as servers do: two small writes would meet the
        # client's delayed ACK (Nagle) and add 40 ms to every request.
        head = f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\nContent-Type: application/json\r\n"
        if status == 302:
            head += "Location: /elsewhere\r\n"
        head += f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        # Logged as handled before the answer goes out, as a receiver commits its work
        # and then answers (so a client that has the answer also finds the log line).
        entry = {"path": self.path, "headers": {k: v for k, v in self.headers.items()},
                 "body": body.decode("utf-8", "replace"), "status": status}
        with lock, open(log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")
        self.wfile.write(head.encode() + payload)
        self.wfile.flush()
        self.close_connection = True


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if len(sys.argv) > 4:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
