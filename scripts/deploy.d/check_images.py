#!/usr/bin/env python3
"""Static checks of deploy/Dockerfile and docker-compose.yml (no Docker needed).

  check_images.py [--binary PATH]

- the Dockerfile parses (PyPI `dockerfile`: Docker's own parser), is
  multi-stage, its final stage FROMs debian:bookworm-slim, runs as a non-root
  USER, has a HEALTHCHECK and ENTRYPOINT ats;
- every apt package it installs exists in this machine's Debian (bookworm)
  apt cache, and with --binary: every shared library the release binary loads
  comes from the runtime stage's packages (or the base image);
- every image it or docker-compose.yml names is on the allowlist below with a
  tag consistent with this toolchain (`swift --version`) and with bookworm;
- the build context that .dockerignore leaves still loads as a Swift package
  (--build-context: and compiles from scratch, like the image's build stage).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deploylib import ROOT, CheckError, dockerfile_stages, image_env, load_compose, service_environment  # noqa: E402

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"


def run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def swift_major_minor() -> str:
    out = run(["swift", "--version"]).stdout + run(["swift", "--version"]).stderr
    m = re.search(r"Swift version (\d+)\.(\d+)", out)
    if not m:
        raise CheckError("cannot read the toolchain version from `swift --version`")
    return f"{m.group(1)}.{m.group(2)}"


def local_major(argv: list[str], pattern: str) -> str | None:
    if not shutil.which(argv[0]):
        return None
    m = re.search(pattern, run(argv).stdout)
    return m.group(1) if m else None


def allowlist(swift_mm: str) -> dict[str, tuple[str, str]]:
    """Official images we accept: {repository: (tag regex, why)}."""
    return {
        "swift": (re.escape(swift_mm) + r"-bookworm",
                  f"official Swift image, the toolchain here ({swift_mm}), on Debian 12 like the runtime"),
        "debian": (r"bookworm-slim", "the runtime base: Debian 12, whose apt cache this machine has"),
        "postgres": (r"15(\.\d+)?-bookworm", "PostgreSQL 15, the major the tests and the rehearsal run"),
        "redis": (r"7(\.\d+){0,2}-bookworm", "Redis 7, as Debian 12 ships it for the tests"),
        # `server … resolve` in deploy/nginx.conf needs open-source nginx >= 1.27.3.
        "nginx": (r"1\.(2[89]|[3-9]\d)(\.\d+)?-alpine", "official nginx, stable line with upstream `resolve`"),
        "axllent/mailpit": (r"v1\.\d+(\.\d+)?", "mailpit's own image, a pinned minor"),
    }


def check_image(ref: str, where: str, allowed: dict[str, tuple[str, str]]) -> str:
    name, _, tag = ref.partition(":")
    if "@" in ref or not tag:
        raise CheckError(f"{where}: image {ref!r} needs an explicit tag")
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name not in allowed:
        raise CheckError(f"{where}: image {ref!r} is not on the allowlist ({', '.join(sorted(allowed))})")
    pattern, why = allowed[name]
    if not re.fullmatch(pattern, tag):
        raise CheckError(f"{where}: image {ref!r}: tag must match {pattern} ({why})")
    return f"{ref}  ({why})"


def apt_packages(run_text: str) -> list[str]:
    """Packages named by `apt-get install` in a RUN line (shell form)."""
    packages: list[str] = []
    for segment in re.split(r"&&|\|\||;|\|", run_text):
        try:
            words = shlex.split(segment)
        except ValueError:
            words = segment.split()
        words = [w for w in words if not re.fullmatch(r"[A-Z_]+=.*", w)]  # VAR=value prefixes
        if words[:1] in (["apt-get"], ["apt"]) and "install" in words:
            packages += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return packages


def apt_exists(package: str) -> bool:
    out = run(["apt-cache", "show", "--no-all-versions", package])
    return out.returncode == 0 and "Package:" in out.stdout


def apt_closure(roots: list[str]) -> set[str]:
    out = run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
               "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *roots])
    return {line.strip().split(":")[0] for line in out.stdout.splitlines()
            if line and not line[0].isspace() and not line.startswith("<")}


def binary_packages(binary: Path) -> dict[str, str]:
    """{package: library} for each shared library the binary loads (ldd + dpkg -S)."""
    out = run(["ldd", str(binary)])
    if out.returncode != 0:
        raise CheckError(f"ldd {binary} failed: {out.stderr.strip()}")
    found: dict[str, str] = {}
    for line in out.stdout.splitlines():
        m = re.search(r"=>\s+(/\S+)", line)
        if not m:
            if "not found" in line:
                raise CheckError(f"{binary}: {line.strip()}")
            continue
        path = m.group(1)
        real = os.path.realpath(path)
        for candidate in (real, real.removeprefix("/usr"), path, "/usr" + path):
            owner = run(["dpkg", "-S", candidate])
            if owner.returncode == 0:
                found[owner.stdout.split(":")[0].strip()] = path
                break
        else:
            raise CheckError(f"{path} (loaded by {binary.name}) belongs to no Debian package")
    return found


def dockerignore_context(tmp: Path) -> Path:
    """A copy of what `docker build .` sends: every file under the repository
    (git-ignored ones too, as Docker does) that .dockerignore does not exclude.
    Patterns as Docker reads them: relative to the root, `*` and `?` within one
    path segment, `**` across segments, `!` re-includes, and a pattern that
    matches a directory excludes everything under it."""
    rules: list[tuple[bool, re.Pattern]] = []
    ignore = ROOT / ".dockerignore"
    for line in (ignore.read_text().splitlines() if ignore.exists() else []):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip("/"))
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((negate, re.compile(regex + r"\Z")))
    can_prune = not any(negate for negate, _ in rules)

    def ignored(rel: str) -> bool:
        parts = rel.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        result = False
        for negate, regex in rules:
            if any(regex.match(prefix) for prefix in prefixes):
                result = not negate
        return result

    context = tmp / "context"
    for directory, dirs, files in os.walk(ROOT):
        rel_dir = os.path.relpath(directory, ROOT)
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if can_prune:
            dirs[:] = [d for d in dirs if not ignored(rel_dir + d)]
        for name in files:
            rel = rel_dir + name
            if ignored(rel) or not os.path.isfile(ROOT / rel):
                continue
            dest = context / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest)
    return context


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", type=Path, help="release ats binary: check its libraries against the runtime stage")
    parser.add_argument("--build-context", action="store_true",
                        help="also compile the .dockerignore'd context from scratch, as the build stage does (~1 min)")
    args = parser.parse_args()

    notes: list[str] = []
    swift_mm = swift_major_minor()
    allowed = allowlist(swift_mm)

    codename = re.search(r"VERSION_CODENAME=(\w+)", Path("/etc/os-release").read_text())
    if not codename or codename.group(1) != "bookworm":
        raise CheckError("this machine is not Debian bookworm: its apt cache cannot vouch for the image's packages")

    # -- the Dockerfile's shape
    stages = dockerfile_stages(DOCKERFILE)
    if len(stages) < 2:
        raise CheckError("deploy/Dockerfile: expected a multi-stage build (build, then runtime)")
    final = stages[-1]
    final_from = final[0].value[0]
    if final_from != "debian:bookworm-slim":
        raise CheckError(f"deploy/Dockerfile: the final stage must FROM debian:bookworm-slim, not {final_from}")

    def last(stage, cmd):
        found = [c for c in stage if c.cmd.upper() == cmd]
        return found[-1] if found else None

    user = last(final, "USER")
    if not user or user.value[0].split(":")[0] in ("root", "0"):
        raise CheckError("deploy/Dockerfile: the final stage must switch to a non-root USER")
    if not last(final, "HEALTHCHECK") or last(final, "HEALTHCHECK").value[0].upper() != "CMD":
        raise CheckError("deploy/Dockerfile: the final stage needs a HEALTHCHECK CMD")
    entry = last(final, "ENTRYPOINT")
    if not entry or not entry.json or Path(entry.value[0]).name != "ats":
        raise CheckError('deploy/Dockerfile: expected ENTRYPOINT ["ats"] (exec form, so ats gets SIGTERM)')
    notes.append(f"Dockerfile: {len(stages)} stages; runtime {final_from}, USER {user.value[0]}, "
                 f"ENTRYPOINT {list(entry.value)}, HEALTHCHECK present")

    # -- images
    stage_names = set()
    for stage in stages:
        ref, *rest = stage[0].value
        if ref not in stage_names:
            notes.append("image " + check_image(ref, f"deploy/Dockerfile:{stage[0].start_line}", allowed))
        if len(rest) == 2 and rest[0].upper() == "AS":
            stage_names.add(rest[1])
    compose = load_compose(COMPOSE, variables=None)
    for name, service in compose["services"].items():
        ref = service.get("image")
        if not ref:
            raise CheckError(f"docker-compose.yml: service {name} names no image")
        if "build" in service:
            if service["build"].get("dockerfile") != "deploy/Dockerfile":
                raise CheckError(f"docker-compose.yml: service {name} builds from something other than deploy/Dockerfile")
            continue  # our own image, e.g. ${ATS_IMAGE:-ats:local}
        notes.append(f"image {check_image(ref, f'docker-compose.yml: {name}', allowed)}")

    # Majors the tests and the rehearsal run here must match the images.
    pg = local_major(["psql", "--version"], r"\(PostgreSQL\) (\d+)")
    if pg and not re.fullmatch(allowed["postgres"][0], compose["services"]["postgres"]["image"].split(":")[1]):
        raise CheckError("postgres image and local PostgreSQL disagree")
    if pg and pg != "15":
        raise CheckError(f"the local PostgreSQL is {pg}, the compose image 15: the rehearsal would not test the same major")
    redis = local_major(["redis-server", "--version"], r"v=(\d+)\.")
    if redis and redis != "7":
        raise CheckError(f"the local redis-server is {redis}, the compose image 7")

    # -- apt packages
    if not apt_exists("libc6"):
        raise CheckError("the apt cache is empty: run apt-get update")
    installed_by_stage: list[list[str]] = []
    for stage in stages:
        pkgs: list[str] = []
        for command in stage:
            if command.cmd.upper() == "RUN":
                pkgs += apt_packages(" ".join(command.value))
        missing = [p for p in pkgs if not apt_exists(p)]
        if missing:
            raise CheckError(f"deploy/Dockerfile stage FROM {stage[0].value[0]}: no such Debian bookworm package: {' '.join(missing)}")
        installed_by_stage.append(pkgs)
        if pkgs:
            notes.append(f"apt (FROM {stage[0].value[0]}): {' '.join(pkgs)}: all in the bookworm apt cache")

    # -- the runtime stage provides every library the release binary loads
    if args.binary:
        runtime = installed_by_stage[-1]
        closure = apt_closure(runtime + ["apt", "base-files", "bash"])
        needed = binary_packages(args.binary)
        missing = {pkg: lib for pkg, lib in needed.items() if pkg not in closure}
        if missing:
            raise CheckError("the runtime stage lacks the packages of " +
                             ", ".join(f"{lib} ({pkg})" for pkg, lib in missing.items()))
        notes.append(f"runtime stage covers all {len(needed)} library packages `ldd {args.binary.name}` names")

        # Every variable we hand to ats is one it knows (a typo would be silently ignored).
        known = set(re.findall(r"^  ([A-Z][A-Z0-9_]+)\s", run([str(args.binary), "serve", "--help"]).stdout, re.M))
        if len(known) < 10:
            raise CheckError("cannot read the variables from `ats serve --help`")
        given: dict[str, str] = {k: "deploy/Dockerfile ENV" for k in image_env(final)}
        for name, service in compose["services"].items():
            if "build" in service:
                given.update({k: f"docker-compose.yml {name}" for k in service_environment(service)})
        for line in (ROOT / "deploy" / "ats.env.example").read_text().splitlines():
            m = re.match(r"#?([A-Z][A-Z0-9_]+)=", line)
            if m:
                given[m.group(1)] = "deploy/ats.env.example"
        unknown = {k: where for k, where in given.items() if k not in known}
        if unknown:
            raise CheckError("variables ats does not know (not in `ats serve --help`): " +
                             ", ".join(f"{k} ({where})" for k, where in sorted(unknown.items())))
        notes.append(f"all {len(given)} variables given to ats are ones `ats serve --help` lists")

    # -- what .dockerignore leaves still loads as the package
    with tempfile.TemporaryDirectory() as tmp:
        context = dockerignore_context(Path(tmp))
        out = run(["swift", "package", "--package-path", str(context), "--scratch-path", str(Path(tmp) / "scratch"),
                   "describe", "--type", "json"])
        if out.returncode != 0:
            raise CheckError(f"the build context left by .dockerignore does not load: {out.stderr.strip()[-400:]}")
        if not (context / "Sources" / "ats").is_dir():
            raise CheckError(".dockerignore drops Sources/ats")
        files = [f for f in context.rglob("*") if f.is_file()]
        size = sum(f.stat().st_size for f in files)
        if size > 50 * 1024 * 1024:
            raise CheckError(f"the build context is {size >> 20} MiB: .dockerignore misses something big")
        notes.append(f".dockerignore: the build context ({len(files)} files, {size >> 10} KiB) loads as the Swift package")
        if args.build_context:
            scratch = str(Path(tmp) / "scratch")
            build = ["swift", "build", "--package-path", str(context), "--scratch-path", scratch,
                     "-c", "release", "--static-swift-stdlib", "--product", "ats"]
            out = run(build)
            binary = Path(run(build + ["--show-bin-path"]).stdout.strip()) / "ats"
            if out.returncode != 0 or not binary.exists():
                raise CheckError(f"the build stage's `swift build` fails on the .dockerignore'd context:\n{(out.stdout + out.stderr)[-1500:]}")
            version = run([str(binary), "--version"]).stdout.strip()
            notes.append(f"build stage: `swift build -c release --static-swift-stdlib` of that context from scratch works: {version}")

    for n in notes:
        print("  " + n)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        sys.exit(1)
