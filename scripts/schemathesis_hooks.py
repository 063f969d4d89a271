"""schemathesis hooks for scripts/schemathesis (tooling only; not part of the product).

A well-formed Idempotency-Key that schemathesis generates is replaced by a fresh UUID: the
generator reuses short values ("0", "A") across requests with other bodies, which the
API rightly answers 422 (API.md, Idempotency keys), so a schema-valid request would look
rejected. Malformed keys are kept, and still get their 400.
"""
import re
import uuid

import schemathesis

VALID = re.compile(r"^[\x21-\x7e]{1,255}$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and VALID.match(headers[name]):
            headers[name] = uuid.uuid4().hex
    return None
