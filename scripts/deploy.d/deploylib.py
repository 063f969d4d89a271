"""Shared helpers for scripts/deploy-check: reading .env files, docker-compose.yml
(with compose's variable interpolation) and deploy/Dockerfile, without Docker."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


class CheckError(Exception):
    """A failed check, reported as one line."""


# ---- .env --------------------------------------------------------------------

def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as docker compose reads them: `#` comments, optional
    `export `, single or double quotes, an unquoted value up to ` #`."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise CheckError(f"{path.name}:{number}: not a KEY=VALUE line: {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].rstrip()
        values[key] = value
    return values


# ---- compose interpolation -----------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def interpolate(text: str, variables: dict[str, str], where: str = "") -> str:
    """Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e},
    ${VAR?e}, ${VAR:+r}, ${VAR+r}, defaults may nest. Stricter than compose: a
    variable that is neither set nor defaulted is an error (compose would warn
    and use an empty string), so .env.example must name every variable."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "$":
            out.append(c)
            i += 1
            continue
        if text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if text.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(text) and depth:
                if text.startswith("${", j):
                    depth, j = depth + 1, j + 2
                    continue
                if text[j] == "}":
                    depth -= 1
                j += 1
            if depth:
                raise CheckError(f"{where}: unclosed ${{ in {text!r}")
            out.append(_expand(text[i + 2:j - 1], variables, where))
            i = j
            continue
        m = _NAME.match(text, i + 1)
        if not m:
            raise CheckError(f"{where}: a lone $ in {text!r} (write $$ for a literal $)")
        out.append(_expand(m.group(0), variables, where))
        i = m.end()
    return "".join(out)


def _expand(expr: str, variables: dict[str, str], where: str) -> str:
    m = _NAME.match(expr)
    if not m:
        raise CheckError(f"{where}: bad variable expression ${{{expr}}}")
    name, rest = m.group(0), expr[m.end():]
    value = variables.get(name)
    if rest == "":
        if value is None:
            raise CheckError(f"{where}: ${{{name}}} is not set and has no default (add it to .env.example)")
        return value
    for op in (":-", ":?", ":+", "-", "?", "+"):
        if rest.startswith(op):
            arg = rest[len(op):]
            unset = value is None or (op.startswith(":") and value == "")
            if op.endswith("-"):
                return interpolate(arg, variables, where) if unset else value
            if op.endswith("?"):
                if unset:
                    raise CheckError(f"{where}: {name}: {interpolate(arg, variables, where)}")
                return value
            return "" if unset else interpolate(arg, variables, where)
    raise CheckError(f"{where}: bad variable expression ${{{expr}}}")


def _interpolate_tree(node, variables: dict[str, str], where: str):
    if isinstance(node, str):
        return interpolate(node, variables, where)
    if isinstance(node, list):
        return [_interpolate_tree(v, variables, where) for v in node]
    if isinstance(node, dict):
        return {k: _interpolate_tree(v, variables, f"{where}.{k}") for k, v in node.items()}
    return node


def load_compose(path: Path, variables: dict[str, str] | None) -> dict:
    """The compose file as compose sees it: YAML merge keys (<<) resolved by
    PyYAML, x-* extension fields dropped, and (given variables) interpolated."""
    data = yaml.safe_load(path.read_text())
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    if variables is not None:
        data = _interpolate_tree(data, variables, path.name)
    return data


def service_environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def depends_on(service: dict) -> dict[str, str]:
    """{dependency: condition}; the short list form means service_started."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {d: "service_started" for d in deps}
    return {d: (spec or {}).get("condition", "service_started") for d, spec in deps.items()}


def start_order(services: dict) -> list[str]:
    """Services in an order compose could start them (dependencies first)."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: list[str]):
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise CheckError(f"depends_on cycle: {' -> '.join(chain + [name])}")
        if name not in services:
            raise CheckError(f"{chain[-1]} depends on unknown service {name}")
        state[name] = "visiting"
        for dep in depends_on(services[name]):
            visit(dep, chain + [name])
        state[name] = "done"
        order.append(name)

    for name in services:
        visit(name, [])
    return order


# ---- Dockerfile ----------------------------------------------------------------

def dockerfile_stages(path: Path) -> list[list]:
    """The Dockerfile's instructions (PyPI `dockerfile`, Docker's own parser),
    split into stages at each FROM."""
    import dockerfile

    stages: list[list] = []
    for command in dockerfile.parse_file(str(path)):
        if command.cmd.upper() == "FROM":
            stages.append([])
        if not stages:
            if command.cmd.upper() == "ARG":
                continue
            raise CheckError(f"{path.name}:{command.start_line}: {command.cmd} before the first FROM")
        stages[-1].append(command)
    return stages


def image_env(stage: list) -> dict[str, str]:
    """ENV of a stage (both `ENV K=V K2=V2` and the old `ENV K V`)."""
    env: dict[str, str] = {}
    for command in stage:
        if command.cmd.upper() != "ENV":
            continue
        values = list(command.value)
        for k, v in zip(values[0::2], values[1::2]):
            env[k] = v
    return env


def healthcheck_command(stage: list) -> list[str] | None:
    """The exec-form argv of the stage's HEALTHCHECK CMD (None without one)."""
    for command in stage:
        if command.cmd.upper() == "HEALTHCHECK":
            values = list(command.value)
            if values and values[0].upper() == "CMD":
                if not command.json:
                    return ["/bin/sh", "-c", " ".join(values[1:])]
                return values[1:]
    return None
