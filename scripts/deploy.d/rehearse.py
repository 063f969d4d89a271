#!/usr/bin/env python3
"""Native rehearsal of docker-compose.yml: runs, on this machine and without
Docker, exactly the commands and environment the compose services use, in
compose's dependency order, then a smoke flow through nginx.

  rehearse.py --binary .build/release/ats [--pg-port 5432] [--keep]

What stands in for what (everything else is taken from the files as they are):
  postgres  the local PostgreSQL cluster (scripts/services.sh ats_start_postgres);
            the service's init script (deploy/postgres/init-roles.sh) runs as the
            superuser with the service's environment, like the image's entrypoint
  redis     redis-server with the service's command, plus a free loopback port
  mailpit   scripts/smtp-sink.py (mailpit is not packaged for Debian)
  migrate, api, worker
            the release binary as the image's ENTRYPOINT, with the image's ENV
            and USER (deploy/Dockerfile; the uid via setpriv when run as root)
            and the service's command and environment, each in a fresh working
            directory; api runs as two replicas (like --scale api=2)
  nginx     nginx -c <a copy of deploy/nginx.conf>, upstream pointed at the two
            api ports (`resolve` dropped: nginx 1.22 here predates it)
Substitutions: the variables come from .env.example only (never the caller's
environment), with a fresh database and role names per run and ATS_BASE_DOMAIN
set so tenant-by-Host is exercised; compose host names become 127.0.0.1 and
container ports free loopback ports; ATS_HOST is 127.0.0.1 instead of 0.0.0.0.
"""

from __future__ import annotations

import argparse
import email
import email.header
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deploylib import (ROOT, CheckError, depends_on, dockerfile_stages, healthcheck_command,  # noqa: E402
                       image_env, load_compose, read_dotenv, service_environment, start_order)

API_REPLICAS = 2
PASSWORD = "rehearsal-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(f"  {message}", flush=True)


def masked(env: dict[str, str]) -> str:
    """KEY=value list for the log, secrets hidden."""
    shown = []
    for k, v in sorted(env.items()):
        if re.search(r"PASSWORD|SECRET", k):
            v = "***"
        v = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", v)
        shown.append(f"{k}={v}")
    return " ".join(shown)


class Proc:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, logfile: Path):
        self.name, self.argv, self.logfile = name, argv, logfile
        self.out = open(logfile, "wb")
        self.popen = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self.out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def text(self) -> str:
        return self.logfile.read_text(errors="replace")

    def tail(self, lines: int = 15) -> str:
        return "\n".join("      | " + l for l in self.text().splitlines()[-lines:])


class Rehearsal:
    def __init__(self, args):
        self.args = args
        self.binary = Path(args.binary).resolve()
        self.tmp = Path(tempfile.mkdtemp(prefix="ats-rehearsal-"))
        self.tmp.chmod(0o755)  # the image's USER must reach its working directory
        self.procs: list[Proc] = []
        self.run_id = f"ats_rh_{os.getpid()}"
        self.cleanup_sql: list[str] = []
        self.ports: dict[str, dict[int, int]] = {}  # service -> {container port: local port}
        self.api: list[dict] = []                   # per replica: port, env, cwd, proc
        self.worker: dict = {}
        self.nginx_port = 0
        self.sink_dir = self.tmp / "mailpit"

    # ---- plumbing ----------------------------------------------------------

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Path | None = None) -> Proc:
        cwd = cwd or self.tmp
        proc = Proc(name, argv, env, cwd, self.tmp / f"{name}.log")
        self.procs.append(proc)
        return proc

    def base_env(self, home: Path) -> dict[str, str]:
        # A container's environment: nothing from the caller's shell.
        return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}

    def wait_for(self, what: str, check, timeout: float, proc: Proc | None = None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None and not proc.alive():
                raise CheckError(f"{proc.name} exited with {proc.popen.returncode} while waiting for {what}\n{proc.tail()}")
            try:
                result = check()
            except (OSError, http.client.HTTPException):
                result = None
            if result:
                return result
            time.sleep(0.2)
        raise CheckError(f"timed out after {timeout:.0f} s waiting for {what}" + (f"\n{proc.tail()}" if proc else ""))

    def localize(self, value: str) -> str:
        """postgres:5432, redis:6379, mailpit:1025 in URLs → 127.0.0.1:<local port>."""
        def sub(m):
            service, port = m.group(2), m.group(3)
            ports = self.ports.get(service)
            if not ports:
                return m.group(0)
            container = int(port) if port else next(iter(ports))
            if container not in ports:
                raise CheckError(f"{value!r}: no local stand-in for {service}:{container}")
            return f"{m.group(1)}127.0.0.1:{ports[container]}"
        return re.sub(r"([/@])(postgres|redis|mailpit|api|worker)(?::(\d+))?(?=[/:?]|$)", sub, value)

    def psql(self, sql: str, database: str = "postgres") -> str:
        argv = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-p", str(self.args.pg_port), "-d", database, "-c", sql]
        out = subprocess.run(self.as_postgres(argv), capture_output=True, text=True)
        if out.returncode != 0:
            raise CheckError(f"psql failed: {out.stderr.strip()}")
        return out.stdout

    def as_postgres(self, argv: list[str]) -> list[str]:
        return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]) + argv

    def http(self, method: str, path: str, body=None, headers=None, port=None, raw: bytes | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.nginx_port, timeout=15)
        headers = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        conn.close()
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload.decode(errors="replace")
        return response.status, parsed, {k.lower(): v for k, v in response.getheaders()}

    def expect(self, what: str, status: int, *request, **kw):
        got, body, headers = self.http(*request, **kw)
        if got != status:
            raise CheckError(f"{what}: expected {status}, got {got}: {str(body)[:300]}")
        log(f"{what}: {got}")
        return body, headers

    def run_healthcheck(self, name: str, test, env: dict[str, str], cwd: Path):
        if isinstance(test, str):
            argv = ["/bin/sh", "-c", test]
        elif test[0] == "CMD-SHELL":
            argv = ["/bin/sh", "-c", test[1]]
        elif test[0] == "CMD":
            argv = list(test[1:])
        else:
            argv = list(test)
        self.wait_for(f"{name}'s healthcheck ({shlex.join(argv)[:70]}…)",
                      lambda: subprocess.run(self.as_image_user + argv, env=env, cwd=cwd, capture_output=True, timeout=5).returncode == 0, 30)
        log(f"{name}: healthcheck passes")

    # ---- the services --------------------------------------------------------

    def run(self) -> None:
        dotenv = read_dotenv(ROOT / ".env.example")
        # ats refuses the example's change-me SECRET_KEY, as it should: give it a real one.
        overrides = {"ATS_DB_NAME": self.run_id, "ATS_DB_OWNER": f"{self.run_id}_owner",
                     "ATS_DB_APP_ROLE": f"{self.run_id}_app", "ATS_BASE_DOMAIN": "ats.test",
                     "SECRET_KEY": secrets.token_hex(32)}
        variables = {**dotenv, **overrides}
        log(f"variables: .env.example, with {masked(overrides)}")
        compose = load_compose(ROOT / "docker-compose.yml", variables)
        services = compose["services"]
        final = dockerfile_stages(ROOT / "deploy" / "Dockerfile")[-1]
        self.image_env = image_env(final)
        self.image_healthcheck = healthcheck_command(final)
        users = [c.value[0] for c in final if c.cmd.upper() == "USER"]
        uid, _, gid = (users[-1] if users else "0").partition(":")
        if not (uid.isdigit() and (gid or uid).isdigit()):
            raise CheckError(f"deploy/Dockerfile: USER {users[-1]}: the rehearsal needs a numeric uid[:gid]")
        self.uid, self.gid = int(uid), int(gid or uid)
        # As root, drop to the image's user like the container does.
        self.as_image_user = (["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", "--"]
                              if os.geteuid() == 0 and self.uid != 0 else [])

        completed = {dep for s in services.values() for dep, cond in depends_on(s).items()
                     if cond == "service_completed_successfully"}
        self.remove_stale_runs()
        order = start_order(services)
        log(f"start order: {' → '.join(order)}")
        for name in order:
            service = services[name]
            image = service.get("image", "")
            print(f"==> {name}", flush=True)
            if "build" in service:
                self.run_ats(name, service, one_shot=name in completed)
            elif image.startswith("postgres:"):
                self.run_postgres(service)
            elif image.startswith("redis:"):
                self.run_redis(service)
            elif image.startswith("axllent/mailpit:"):
                self.run_mailpit(service)
            elif image.startswith("nginx:"):
                self.run_nginx(service)
            else:
                raise CheckError(f"no native stand-in for service {name} ({image})")

        print("==> smoke flow through nginx", flush=True)
        self.smoke()
        print("==> stopping (SIGTERM) and checking exit codes", flush=True)
        self.stop_gracefully()

    def run_postgres(self, service: dict) -> None:
        self.ports["postgres"] = {5432: self.args.pg_port}
        env = service_environment(service)
        db, owner, app = env["ATS_DB_NAME"], env["ATS_DB_OWNER"], env["ATS_DB_APP_ROLE"]
        self.cleanup_sql = [f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{owner}"', f'DROP ROLE IF EXISTS "{app}"']
        scripts = [v.split(":")[0] for v in service.get("volumes", []) if ":/docker-entrypoint-initdb.d/" in v]
        if not scripts:
            raise CheckError("the postgres service mounts no init script into /docker-entrypoint-initdb.d/")
        for script in scripts:
            path = (ROOT / script).resolve()
            run_env = {**self.base_env(self.tmp), **env, "POSTGRES_USER": env.get("POSTGRES_USER", "postgres"),
                       "PGPORT": str(self.args.pg_port), "PGHOST": "/var/run/postgresql"}
            argv = self.as_postgres(["env", "-i", *[f"{k}={v}" for k, v in run_env.items()], "bash", str(path)])
            out = subprocess.run(argv, capture_output=True, text=True, cwd="/")
            if out.returncode != 0:
                raise CheckError(f"{script} failed: {out.stderr.strip()}")
            log(f"{script} as the superuser: {out.stdout.strip()}")
        # The healthcheck's question, over TCP like the compose healthcheck.
        subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.args.pg_port)], check=True)
        log(f"PostgreSQL on 127.0.0.1:{self.args.pg_port} ready")

    def run_redis(self, service: dict) -> None:
        port = free_port()
        self.ports["redis"] = {6379: port}
        command = service["command"]
        argv = command if isinstance(command, list) else shlex.split(command)
        data = self.tmp / "redis"
        data.mkdir()
        argv = argv + ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(data), "--daemonize", "no"]
        env = {**self.base_env(data), **service_environment(service)}
        proc = self.start("redis", argv, env, data)
        cli_env = {**env, "REDISCLI_AUTH": env.get("REDIS_PASSWORD", "")}
        self.wait_for("redis PING", lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], env=cli_env,
                                                            capture_output=True, text=True).stdout.strip() == "PONG", 15, proc)
        log(f"{shlex.join(command[:5])} … on 127.0.0.1:{port}: PONG (with AUTH)")

    def run_mailpit(self, service: dict) -> None:
        self.sink_dir.mkdir()
        proc = self.start("mailpit", [sys.executable, str(ROOT / "scripts" / "smtp-sink.py"), str(self.sink_dir)],
                          {**os.environ}, self.tmp)
        port = int(self.wait_for("the SMTP sink", lambda: (re.search(r"listening (\d+)", proc.text()) or [None, None])[1], 20, proc))
        self.ports["mailpit"] = {1025: port}
        log(f"SMTP sink (stand-in for mailpit) on 127.0.0.1:{port}")

    def ats_env(self, name: str, service: dict, home: Path) -> dict[str, str]:
        env = {**self.base_env(home), **self.image_env}
        env.update({k: self.localize(v) for k, v in service_environment(service).items()})
        env["ATS_HOST"] = "127.0.0.1"
        if "ATS_DOCS_ASSETS" in env:
            # The image installs Swagger UI's files there at build time (scripts/docs-assets);
            # here the same script fills a folder of this run, readable by the image's user.
            docs = self.tmp / "docs-assets"
            if not docs.is_dir():
                subprocess.run([str(ROOT / "scripts" / "docs-assets"), str(docs)], check=True, capture_output=True)
                docs.chmod(0o755)
                for f in docs.iterdir():
                    f.chmod(0o644)
                log(f"Swagger UI's files for ATS_DOCS_ASSETS ({env['ATS_DOCS_ASSETS']} in the image) in {docs}")
            env["ATS_DOCS_ASSETS"] = str(docs)
        return env

    def run_ats(self, name: str, service: dict, one_shot: bool) -> None:
        command = service.get("command") or ["serve"]
        command = command if isinstance(command, list) else shlex.split(command)
        argv = [*self.as_image_user, str(self.binary), *command]  # ENTRYPOINT ["ats"] + command
        replicas = API_REPLICAS if name == "api" else 1
        for i in range(1, replicas + 1):
            home = self.tmp / f"{name}-{i}"
            home.mkdir()
            if self.as_image_user:
                os.chown(home, self.uid, self.gid)
            env = self.ats_env(name, service, home)
            if command[0] == "serve":
                env["ATS_PORT"] = str(free_port())
            if "ATS_WORKER_PORT" in env:
                env["ATS_WORKER_PORT"] = str(free_port())
            label = f"{name}-{i}" if replicas > 1 else name
            log(f"{label}: ats {shlex.join(command)} as uid {self.uid}  [{masked({k: v for k, v in env.items() if k not in ('PATH', 'HOME', 'LANG')})}]")
            proc = self.start(label, argv, env, home)
            if one_shot:
                try:
                    code = proc.popen.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    raise CheckError(f"{label} did not finish within 60 s\n{proc.tail()}")
                if code != 0:
                    raise CheckError(f"{label} exited {code}\n{proc.tail()}")
                for line in proc.text().splitlines():
                    log(f"{label}: {line}")
                if name == "migrate" and "granted" not in proc.text():
                    raise CheckError("migrate did not grant the application role")
                continue
            test = (service.get("healthcheck") or {}).get("test")
            if name == "api":
                port = int(env["ATS_PORT"])
                self.wait_for(f"{label} /readyz", lambda: self.http("GET", "/readyz", port=port)[0] == 200, 30, proc)
                self.api.append({"port": port, "env": env, "cwd": home, "proc": proc})
                if test is None:
                    test = ["CMD", *self.image_healthcheck]  # the image's HEALTHCHECK
            if name == "worker":
                self.worker = {"port": int(env["ATS_WORKER_PORT"]), "env": env, "proc": proc}
            if test:
                self.run_healthcheck(label, test, env, home)
            else:
                time.sleep(0.3)
                if not proc.alive():
                    raise CheckError(f"{label} exited {proc.popen.returncode}\n{proc.tail()}")

    def run_nginx(self, service: dict) -> None:
        self.nginx_port = free_port()
        published = [str(p) for p in service.get("ports", [])]
        if not any(p.endswith(":80") for p in published):
            raise CheckError("the nginx service does not publish container port 80")
        conf = (ROOT / "deploy" / "nginx.conf").read_text()
        upstreams = " ".join(f"server 127.0.0.1:{a['port']};" for a in self.api)
        conf, n = re.subn(r"^(\s*)server\s+api:8000(\s+resolve)?\s*;", lambda m: m.group(1) + upstreams, conf, flags=re.M)
        if n != 1:
            raise CheckError("deploy/nginx.conf: expected one `server api:8000 …;` line in the upstream")
        conf, n = re.subn(r"^(\s*)listen\s+80(\s+default_server)?\s*;", f"\\1listen 127.0.0.1:{self.nginx_port}\\2;", conf, flags=re.M)
        if n != 1:
            raise CheckError("deploy/nginx.conf: expected one `listen 80` line")
        prefix = self.tmp / "nginx"
        prefix.mkdir()
        temp_paths = " ".join(f"{kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = conf.replace("http {", "http {\n    " + temp_paths, 1)
        (prefix / "nginx.conf").write_text(conf)
        argv = ["nginx", "-c", str(prefix / "nginx.conf"), "-p", str(prefix), "-g", f"pid {prefix}/nginx.pid; daemon off;"]
        test = subprocess.run(argv + ["-t"], capture_output=True, text=True)
        if test.returncode != 0:
            raise CheckError(f"nginx -t failed:\n{test.stderr}")
        log(f"nginx -t: ok ({prefix}/nginx.conf, upstream {upstreams})")
        proc = self.start("nginx", argv, {**self.base_env(prefix)}, prefix)
        self.wait_for("nginx", lambda: self.http("GET", "/healthz")[0] == 200, 15, proc)
        log(f"nginx on 127.0.0.1:{self.nginx_port} → {len(self.api)} api processes")

    # ---- the smoke flow --------------------------------------------------------

    def exec_api(self, argv: list[str], stdin: str | None = None) -> str:
        """`docker compose exec api ats …`: the api container's environment and directory."""
        replica = self.api[0]
        out = subprocess.run([*self.as_image_user, str(self.binary), *argv], env=replica["env"], cwd=replica["cwd"], input=stdin,
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise CheckError(f"ats {shlex.join(argv)} exited {out.returncode}: {out.stderr.strip()}")
        log(f"docker compose exec api ats {shlex.join(argv)}: {out.stdout.strip()}")
        return out.stdout

    def smoke(self) -> None:
        # The README's first-tenant steps.
        self.exec_api(["tenant", "create", "acme", "--name", "Acme"])
        self.exec_api(["user", "create", "--tenant", "acme", "--email", "admin@acme.test", "--role", "admin",
                       "--name", "Acme Admin"], stdin=PASSWORD + "\n")

        by_header = {"X-Tenant": "acme"}
        by_host = {"Host": "acme.ats.test"}  # tenant from Host: proves nginx forwards it
        self.expect("signup a candidate (tenant from Host)", 201, "POST", "/api/auth/signup",
                    {"email": "cand@acme.test", "password": PASSWORD, "full_name": "Casey Candidate"}, by_host)
        body, _ = self.expect("login as the admin", 200, "POST", "/api/auth/login",
                              {"email": "admin@acme.test", "password": PASSWORD}, by_header)
        admin = {**by_header, "Authorization": f"Bearer {body['access_token']}"}
        body, _ = self.expect("login as the candidate", 200, "POST", "/api/auth/login",
                              {"email": "cand@acme.test", "password": PASSWORD}, by_host)
        candidate = {**by_host, "Authorization": f"Bearer {body['access_token']}"}
        self.expect("the candidate's token in another tenant (default)", 401, "GET", "/api/auth/me",
                    headers={"Authorization": candidate["Authorization"]})
        job, _ = self.expect("create a job as the admin", 201, "POST", "/api/jobs",
                             {"title": "Swift Engineer", "company": "Acme", "location": "Remote"}, admin)
        application, _ = self.expect("apply as the candidate", 201, "POST", f"/api/jobs/{job['id']}/apply", {}, candidate)
        moved, _ = self.expect("move the application to screening", 200, "PATCH",
                               f"/api/applications/{application['id']}/stage", {"stage": "screening"}, admin)
        if moved.get("stage") != "screening":
            raise CheckError(f"stage change returned {moved}")

        # Proxy behaviour.
        _, headers = self.expect("X-Request-ID is passed through", 200, "GET", "/healthz", headers={"X-Request-ID": "rehearsal-42"})
        if headers.get("x-request-id") != "rehearsal-42":
            raise CheckError(f"X-Request-ID came back as {headers.get('x-request-id')!r}")
        _, headers = self.expect("nginx makes an X-Request-ID when there is none", 200, "GET", "/healthz")
        if not re.fullmatch(r"[0-9a-f]{32}", headers.get("x-request-id", "")):
            raise CheckError(f"expected nginx's $request_id, got {headers.get('x-request-id')!r}")
        self.expect("a body over 1 MiB is refused by nginx", 413, "POST", "/api/jobs",
                    raw=b"x" * (1024 * 1024 + 1), headers={**admin, "Content-Type": "application/json"})
        for path in ("/metrics", "/metrics/", "//metrics", "/metrics?x=1"):
            self.expect(f"{path} is not public", 404, "GET", path)
        body, _ = self.expect("/readyz", 200, "GET", "/readyz")
        if "redis" not in json.dumps(body):
            raise CheckError(f"/readyz does not report Redis: {body}")
        for _ in range(6):
            status, _, _ = self.http("GET", "/api/jobs", headers=by_header)
            if status != 200:
                raise CheckError(f"GET /api/jobs: {status}")
        log("6 x list jobs: 200")

        # The e-mails: confirmation + stage change to the candidate, alert to the job's creator.
        def mails():
            found = []
            for path in sorted(self.sink_dir.glob("*.eml")):
                message = email.message_from_bytes(path.read_bytes())
                found.append((message["X-Envelope-To"], str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))))
            to_candidate = [s for to, s in found if to == "cand@acme.test"]
            to_admin = [s for to, s in found if to == "admin@acme.test"]
            return found if len(to_candidate) >= 2 and len(to_admin) >= 1 else None
        for to, subject in self.wait_for("the three notification e-mails in the SMTP sink", mails, 60, self.worker["proc"]):
            log(f"e-mail to {to}: {subject}")
        body = self.wait_for("every notification marked sent", lambda: (lambda r: r[1] if r[0] == 200 and len(r[1]) == 3
                             and all(n["status"] == "sent" for n in r[1]) else None)(self.http("GET", "/api/notifications", headers=admin)), 30)
        log(f"GET /api/notifications: {', '.join(n['kind'] + '=' + n['status'] for n in body)}")

        # Worker metrics on ATS_WORKER_PORT.
        status, metrics, _ = self.http("GET", "/metrics", port=self.worker["port"])
        sent = re.search(r'^ats_notifications_total\{result="sent"\} (\d+)', metrics or "", re.M)
        if status != 200 or not sent or int(sent.group(1)) < 3 or "ats_queue_depth" not in metrics:
            raise CheckError(f"worker /metrics: expected ats_notifications_total{{result=\"sent\"}} >= 3 and ats_queue_depth, got {status}")
        log(f"worker /metrics: ats_notifications_total{{result=\"sent\"}} {sent.group(1)}, ats_queue_depth present")

        # Both replicas served API requests through nginx.
        for replica in self.api:
            served = sum(1 for line in replica["proc"].text().splitlines()
                         if '"msg":"request"' in line and '"route":"/api/' in line)
            if served == 0:
                raise CheckError(f"{replica['proc'].name} served no /api request: nginx did not balance")
            log(f"{replica['proc'].name} served {served} /api requests")

    # ---- stopping ------------------------------------------------------------

    def stop_gracefully(self) -> None:
        # nginx first (graceful: SIGQUIT), then the ats processes (SIGTERM).
        order = [p for p in self.procs if p.name == "nginx"] + \
                [p for p in self.procs if p.name.startswith(("api", "worker"))]
        for proc in order:
            if proc.alive():
                proc.popen.send_signal(signal.SIGQUIT if proc.name == "nginx" else signal.SIGTERM)
        for proc in order:
            try:
                code = proc.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                raise CheckError(f"{proc.name} did not stop within 30 s of SIGTERM\n{proc.tail()}")
            if code != 0:
                raise CheckError(f"{proc.name} exited {code} after SIGTERM (expected 0)\n{proc.tail()}")
            log(f"{proc.name}: exit 0")

    def remove_stale_runs(self) -> None:
        """Databases and roles of earlier runs whose process is gone (a killed run)."""
        for db in self.psql("SELECT datname FROM pg_database WHERE datname ~ '^ats_rh_[0-9]+$'").split():
            pid = int(db.rsplit("_", 1)[1])
            try:
                os.kill(pid, 0)
                continue
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
            for sql in (f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{db}_owner"', f'DROP ROLE IF EXISTS "{db}_app"'):
                self.psql(sql)
            log(f"removed {db} left by an earlier run")

    def cleanup(self) -> None:
        for proc in self.procs:
            if proc.alive():
                try:
                    os.killpg(proc.popen.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for proc in self.procs:
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait()
            proc.out.close()
        for sql in self.cleanup_sql:
            try:
                self.psql(sql)
            except CheckError as error:
                print(f"  warning: {error}", file=sys.stderr)
        if self.args.keep:
            print(f"  logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, help="the release ats binary")
    parser.add_argument("--pg-port", type=int, default=5432, help="port of the local PostgreSQL cluster")
    parser.add_argument("--keep", action="store_true", help="keep the logs and data directory")
    args = parser.parse_args()

    # A SIGTERM/SIGINT to this script still cleans up (finally below).
    def interrupted(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)

    rehearsal = Rehearsal(args)
    started = time.monotonic()
    try:
        rehearsal.run()
    except (CheckError, KeyboardInterrupt) as error:
        print(f"FAIL: rehearsal: {error or 'interrupted'}", file=sys.stderr)
        for proc in rehearsal.procs:
            if proc.name.startswith(("api", "worker", "nginx", "migrate")):
                print(f"  --- last lines of {proc.name}'s log ---\n{proc.tail(8)}", file=sys.stderr)
        rehearsal.args.keep = True
        return 1
    finally:
        rehearsal.cleanup()
    print(f"  rehearsal passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
