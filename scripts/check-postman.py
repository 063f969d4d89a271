#!/usr/bin/env python3
"""Checks a Postman collection (the output of `ats openapi --format postman`, on stdin or
in the file named) against the structure of Postman Collection Format v2.1: the keys and
types the v2.1 JSON schema requires, and allows, for what the collection uses. Standard
library only. Exits 1 naming every problem."""
import json
import sys

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
AUTH_TYPES = {"apikey", "awsv4", "basic", "bearer", "digest", "edgegrid", "hawk", "noauth", "oauth1", "oauth2", "ntlm", "jwt", "asap", "akamai"}
METHODS = {"GET", "PUT", "POST", "PATCH", "DELETE", "COPY", "HEAD", "OPTIONS", "LINK", "UNLINK", "PURGE", "LOCK", "UNLOCK", "PROPFIND", "VIEW"}
BODY_MODES = {"raw", "urlencoded", "formdata", "file", "graphql"}
problems = []


def check(condition, where, message):
    if not condition:
        problems.append(f"{where}: {message}")
    return condition


def only(obj, allowed, where):
    for key in obj:
        check(key in allowed, where, f"unknown key {key!r}")


def description(value, where):
    check(value is None or isinstance(value, (str, dict)), where, "description must be a string or an object")


def key_values(values, where, required=("key",)):
    if not check(isinstance(values, list), where, "must be an array"):
        return
    for i, entry in enumerate(values):
        here = f"{where}[{i}]"
        if check(isinstance(entry, dict), here, "must be an object"):
            for key in required:
                check(isinstance(entry.get(key), str), here, f"{key} must be a string")
            if "value" in entry:
                check(entry["value"] is None or isinstance(entry["value"], (str, int, float, bool)), here, "value must be a scalar")
            if "disabled" in entry:
                check(isinstance(entry["disabled"], bool), here, "disabled must be a boolean")
            description(entry.get("description"), here)


def auth(value, where):
    if check(isinstance(value, dict), where, "auth must be an object"):
        kind = value.get("type")
        check(kind in AUTH_TYPES, where, f"auth type {kind!r} unknown")
        if kind not in (None, "noauth"):
            key_values(value.get(kind), f"{where}.{kind}")


def events(value, where):
    if not check(isinstance(value, list), where, "event must be an array"):
        return
    for i, event in enumerate(value):
        here = f"{where}[{i}]"
        if check(isinstance(event, dict), here, "must be an object"):
            check(event.get("listen") in ("test", "prerequest"), here, "listen must be test or prerequest")
            script = event.get("script")
            if check(isinstance(script, dict), here, "script must be an object"):
                exec_ = script.get("exec")
                check(isinstance(exec_, list) and all(isinstance(line, str) for line in exec_), here, "script.exec must be an array of strings")
                check(script.get("type", "text/javascript") == "text/javascript", here, "script.type must be text/javascript")


def structured(value, where, name, allowed):
    """A url or a request may be a plain string; an object has only the `allowed` keys.
    True when it is an object to check further."""
    if isinstance(value, str) or not check(isinstance(value, dict), where, f"{name} must be a string or an object"):
        return False
    only(value, allowed, where)
    return True


def url(value, where):
    if not structured(value, where, "url", {"raw", "protocol", "host", "path", "port", "query", "hash", "variable"}):
        return
    check(isinstance(value.get("raw"), str), where, "url.raw must be a string")
    for part in ("host", "path"):
        if part in value:
            check(isinstance(value[part], (str, list)), where, f"url.{part} must be a string or an array")
    if "query" in value:
        key_values(value["query"], f"{where}.query", required=())
    if "variable" in value:
        key_values(value["variable"], f"{where}.variable")


def request(value, where):
    if not structured(value, where, "request", {"url", "auth", "proxy", "certificate", "method", "description", "header", "body"}):
        return
    check(value.get("method", "GET") in METHODS, where, f"method {value.get('method')!r} unknown")
    url(value.get("url"), f"{where}.url")
    if "auth" in value and value["auth"] is not None:
        auth(value["auth"], f"{where}.auth")
    if "header" in value:
        key_values(value["header"], f"{where}.header")
    if "body" in value and value["body"] is not None:
        body = value["body"]
        if check(isinstance(body, dict), f"{where}.body", "must be an object"):
            mode = body.get("mode")
            check(mode in BODY_MODES, f"{where}.body", f"mode {mode!r} unknown")
            if mode == "raw":
                check(isinstance(body.get("raw"), str), f"{where}.body", "raw must be a string")
    description(value.get("description"), where)


def items(value, where):
    if not check(isinstance(value, list), where, "item must be an array"):
        return 0
    count = 0
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if not check(isinstance(item, dict), here, "must be an object"):
            continue
        if "request" in item:  # an item: a request
            only(item, {"id", "name", "description", "variable", "event", "request", "response", "protocolProfileBehavior"}, here)
            request(item["request"], f"{here}.request")
            count += 1
        else:  # an item-group: a folder
            only(item, {"name", "description", "variable", "item", "event", "auth", "protocolProfileBehavior"}, here)
            count += items(item.get("item"), f"{here}.item")
        if "name" in item:
            check(isinstance(item["name"], str), here, "name must be a string")
        if "event" in item:
            events(item["event"], f"{here}.event")
        if "auth" in item and item["auth"] is not None:
            auth(item["auth"], f"{here}.auth")
        description(item.get("description"), here)
    return count


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    collection = json.loads(text)
    only(collection, {"info", "item", "event", "variable", "auth", "protocolProfileBehavior"}, "collection")
    info = collection.get("info")
    if check(isinstance(info, dict), "info", "required object"):
        only(info, {"name", "_postman_id", "description", "version", "schema"}, "info")
        check(isinstance(info.get("name"), str), "info", "name must be a string")
        check(info.get("schema") == SCHEMA, "info", f"schema must be {SCHEMA}")
    requests = items(collection.get("item"), "item")
    if "auth" in collection:
        auth(collection["auth"], "auth")
    if "variable" in collection:
        key_values(collection["variable"], "variable")
    if "event" in collection:
        events(collection["event"], "event")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"FAIL: not a Postman Collection v2.1 ({len(problems)} problems)", file=sys.stderr)
        sys.exit(1)
    print(f"Postman Collection v2.1: OK ({requests} requests)")


main()
