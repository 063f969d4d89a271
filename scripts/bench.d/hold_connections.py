#!/usr/bin/env python3
"""Open N keep-alive connections to 127.0.0.1:PORT, make one GET on each, and hold them
idle until stdin closes (or HOLD_SECONDS pass). Prints 'ready N' once all are open."""
import os, resource, selectors, socket, sys, time

port, count = int(sys.argv[1]), int(sys.argv[2])
hold = float(os.environ.get("HOLD_SECONDS", "30"))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
request = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
conns = []
deadline = time.monotonic() + 120
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data or not data.endswith(b"}"):
        chunk = s.recv(4096)
        if not chunk:
            sys.exit(f"connection {i} closed by the server")
        data += chunk
    if not data.startswith(b"HTTP/1.1 200"):
        sys.exit(f"connection {i}: unexpected answer {data[:40]!r}")
    conns.append(s)
    if time.monotonic() > deadline:
        sys.exit("took too long to open the connections")
print(f"ready {len(conns)}", flush=True)
sel = selectors.DefaultSelector()
sel.register(sys.stdin, selectors.EVENT_READ)
sel.select(timeout=hold)
closed_by_server = 0
for s in conns:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            closed_by_server += 1
    except BlockingIOError:
        pass
    s.close()
print(f"closed_by_server {closed_by_server}", flush=True)
