#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd): stores every accepted message as a file.

  smtp-sink.py DIR [--tls CERT KEY] [--auth USER:PASS] [--refuse N] [--refuse-forever] [--control FILE]

Prints 'listening PORT' once it accepts connections on 127.0.0.1; runs until killed.
--tls offers STARTTLS; --auth requires AUTH (PLAIN or LOGIN); --refuse answers 451 to the
first N messages; --refuse-forever to all of them. --control FILE is read at each message:
'refuse' answers 451, 'hold' keeps the client waiting after its DATA (writing DIR/holding)
and stores nothing if the client is gone when the file no longer says 'hold'.
"""
import argparse, asyncio, os, signal, socket, ssl, sys, threading, time, uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, refuse, forever, control):
        self.directory, self.refuse, self.forever, self.control = directory, refuse, forever, control

    def mode(self):
        try:
            with open(self.control) as f:
                return f.read().strip()
        except (OSError, TypeError):
            return ""

    async def handle_DATA(self, server, session, envelope):
        if self.forever or self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        if self.mode() == "refuse":
            return "451 4.3.0 try again later"
        if self.mode() == "hold":
            open(os.path.join(self.directory, "holding"), "w").close()
            while self.mode() == "hold":
                await asyncio.sleep(0.05)
            if server.transport is None or server.transport.is_closing():
                return "451 4.3.0 client gone"
        name = os.path.join(self.directory, f"{time.time_ns()}-{uuid.uuid4().hex}.eml")
        with open(name + ".tmp", "wb") as f:
            f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(b"X-TLS: " + (b"yes" if session.ssl else b"no") + b"\r\n")
            f.write(envelope.original_content)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 stored"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("directory")
    p.add_argument("--tls", nargs=2)
    p.add_argument("--auth")
    p.add_argument("--refuse", type=int, default=0)
    p.add_argument("--refuse-forever", action="store_true")
    p.add_argument("--control")
    a = p.parse_args()
    os.makedirs(a.directory, exist_ok=True)
    kwargs = {}
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        kwargs["tls_context"] = ctx
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller = Controller(Sink(a.directory, a.refuse, a.refuse_forever, a.control), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"listening {port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        if os.getppid() == 1:  # the test process died: do not linger
            break
    controller.stop()


if __name__ == "__main__":
    main()
