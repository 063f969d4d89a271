#!/usr/bin/env python3
"""Cost-as-the-data-grows benchmark helper (tooling only; not part of the product).

  size_load.py seed sqlite PATH BIG SMALL TENANTS             -> fills a migrated SQLite database
  size_load.py seed postgres PSQL_ARGS... -- BIG SMALL TENANTS -> runs the seeding SQL through psql (superuser)
  size_load.py time BASE_URL STAFF_TOKEN BIG REQUESTS          -> p50/p99 ms per endpoint; one JSON line
  size_load.py plot RESULTS_JSON PNG                           -> latency p50 against size (matplotlib)
  size_load.py explain sqlite PATH BIG                         -> EXPLAIN QUERY PLAN of each list's statement
  size_load.py explain postgres PSQL_ARGS... -- BIG            -> EXPLAIN ANALYZE of each, as the application role under RLS

The seed writes straight into the tables (the API would take hours for a million rows).
Tenant 1 (`default`) holds BIG jobs (all open), BIG candidates and BIG applications
(candidate i applied to job i); each of the other TENANTS-1 tenants (`size-2`…) holds
SMALL of each, so that only indexes with tenant_id first keep a page cheap. Rows are
created one second apart, newest last. Candidate i is `Person{i:07d} surname{i % 100:02d}`,
email `p{i}@{tenant}.bench`: `q=person0000777` matches one candidate, `q=surname07` one
in a hundred.
"""
import json, os, statistics, subprocess, sys, time

from api_load import conn, call


def seed_sql(dialect, big, small, tenants):
    pg = dialect == "postgres"
    out = ["SET synchronous_commit = off;" if pg else "PRAGMA foreign_keys = OFF;"]

    def at(seconds_expr):
        # Row i of n: created (n - i) seconds before a fixed instant, so the newest is last.
        return f"(timestamptz '2026-01-01T00:00:00Z' - make_interval(secs => ({seconds_expr})))" if pg else \
            f"strftime('%Y-%m-%dT%H:%M:%f000Z', '2026-01-01T00:00:00', '-' || ({seconds_expr}) || ' seconds')"

    def series(n):
        return f"generate_series(1, {n}) AS n(i)" if pg else f"n"

    def with_series(n):
        return "" if pg else f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "

    def insert(table, columns, n, values):
        """INSERT … SELECT over i in 1…n; SQLite's ids come after id_sequences' value (as the app reserves them)."""
        if pg:
            out.append(f"INSERT INTO {table} ({columns}) SELECT {values} FROM {series(n)};")
        else:
            out.append(f"INSERT INTO {table} (id, {columns}) {with_series(n)}SELECT (SELECT value FROM id_sequences WHERE name = '{table}') + i, "
                       f"{values} FROM {series(n)};")
            out.append(f"UPDATE id_sequences SET value = (SELECT max(id) FROM {table}) WHERE name = '{table}';")

    for t in range(1, tenants + 1):
        slug = "default" if t == 1 else f"size-{t}"
        n = big if t == 1 else small
        if t > 1:
            if pg:
                out.append(f"INSERT INTO tenants (slug, name, created_at) VALUES ('{slug}', 'Tenant {t}', now());")
            else:
                out.append(f"INSERT INTO tenants (id, slug, name, created_at) VALUES ((SELECT value FROM id_sequences WHERE name = 'tenants') + 1, "
                           f"'{slug}', 'Tenant {t}', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));")
                out.append("UPDATE id_sequences SET value = (SELECT max(id) FROM tenants) WHERE name = 'tenants';")
        tenant = f"(SELECT id FROM tenants WHERE slug = '{slug}')"
        created = at(f"{n} - i + 10")
        insert("users", "tenant_id, email, password_hash, full_name, role, is_active, created_at, updated_at", 1,
               f"{tenant}, 'seed-recruiter@{slug}.bench', 'x', 'Seed Recruiter', 'recruiter', true, {at('1')}, {at('1')}")
        recruiter = f"(SELECT id FROM users WHERE tenant_id = {tenant} AND email = 'seed-recruiter@{slug}.bench')"
        name = "'Person' || lpad(i::text, 7, '0') || ' surname' || lpad((i % 100)::text, 2, '0')" if pg else \
            "'Person' || printf('%07d', i) || ' surname' || printf('%02d', i % 100)"
        insert("users", "tenant_id, email, password_hash, full_name, role, is_active, created_at, updated_at", n,
               f"{tenant}, 'p' || i || '@{slug}.bench', 'x', {name}, 'candidate', true, {created}, {created}")
        insert("jobs", "tenant_id, title, company, status, created_by, created_at, updated_at", n,
               f"{tenant}, 'Job ' || i, 'Bench', 'open', {recruiter}, {created}, {created}")
        # Application i: candidate i to job i. Each INSERT above numbered its rows in one
        # run (ids base+1…base+n), so the i-th is the tenant's smallest id + i - 1 (a join
        # on row numbers would be a nested loop on SQLite).
        first_job = f"(SELECT min(id) FROM jobs WHERE tenant_id = {tenant})"
        first_candidate = f"(SELECT min(id) FROM users WHERE tenant_id = {tenant} AND role = 'candidate')"
        insert("applications", "tenant_id, job_id, candidate_id, stage, version, created_at, updated_at, source", n,
               f"{tenant}, {first_job} + i - 1, {first_candidate} + i - 1, 'applied', 1, {created}, {created}, 'bench'")
    # As autovacuum would leave a live database: statistics, and a visibility map for
    # index-only scans (VACUUM cannot run in SQLite's seed transaction; ANALYZE can).
    out.append("VACUUM ANALYZE;" if pg else "ANALYZE;")
    return "\n".join(out)


def seed(args):
    if args[0] == "sqlite":
        import sqlite3
        path, big, small, tenants = args[1], int(args[2]), int(args[3]), int(args[4])
        db = sqlite3.connect(path)
        db.executescript("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;\nBEGIN;\n"
                         + seed_sql("sqlite", big, small, tenants) + "\nCOMMIT;")
        db.close()
    else:
        cut = len(args) - 1 - args[::-1].index("--")
        psql = args[1:cut]
        big, small, tenants = (int(x) for x in args[cut + 1:cut + 4])
        subprocess.run(psql + ["-q", "-v", "ON_ERROR_STOP=1"], input=seed_sql("postgres", big, small, tenants), text=True, check=True)


def cursor_of(item):
    """The keyset cursor after `item` (tooling knows what the API keeps opaque)."""
    from datetime import datetime
    t = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
    micros = int(t.timestamp()) * 1_000_000 + t.microsecond
    return f"{micros}_{item['id']}"


def sample(c, path, token, requests, expect=None):
    def one():
        t0 = time.perf_counter()
        status, body = call(c, "GET", path, None, token)
        ms = (time.perf_counter() - t0) * 1000
        if status != 200:
            sys.exit(f"GET {path}: {status} {body}")
        return ms, body
    _, body = one()  # warm
    if expect is not None and len(body) < expect:
        sys.exit(f"GET {path}: {len(body)} items, wanted {expect}")
    for _ in range(3):
        one()
    samples = sorted(one()[0] for _ in range(requests))
    return {"p50_ms": round(statistics.median(samples), 2), "p99_ms": round(samples[min(len(samples) - 1, int(0.99 * len(samples)))], 2)}


def time_lists(base, token, big, requests):
    c = conn(base)
    out = {}
    middle = big // 2
    # SIZE_LISTS (e.g. "candidates") measures only those lists; the output keeps its shape.
    lists = os.environ.get("SIZE_LISTS", "jobs applications candidates").split()
    for name, path, auth in [("jobs", "/api/jobs/", None), ("applications", "/api/applications", token)]:
        if name not in lists:
            continue
        out[f"{name} first page"] = sample(c, f"{path}?limit=20", auth, requests, expect=20)
        # The deep page through the cursor (keyset), starting after the middle row.
        status, row = call(c, "GET", f"{path}?limit=1&offset={middle}", None, auth)
        if status != 200 or not row:
            sys.exit(f"GET {path} offset {middle}: {status}")
        out[f"{name} deep page (cursor)"] = sample(c, f"{path}?limit=20&cursor={cursor_of(row[0])}", auth, requests, expect=min(20, big - middle - 1))
        # The same page by offset, for comparison (not a goal: keyset is the answer).
        out[f"{name} deep page (offset, for comparison)"] = sample(c, f"{path}?limit=20&offset={middle}", auth, max(5, requests // 10))
    if "candidates" not in lists:
        print(json.dumps(out))
        return
    out["candidates q selective"] = sample(c, f"/api/candidates?q=person{middle:07d}&limit=20", token, requests, expect=1)
    out["candidates q common (1%)"] = sample(c, "/api/candidates?q=surname07&limit=20", token, requests, expect=min(20, big // 100))
    print(json.dumps(out))


def list_statements(pg, big):
    """The statements the API runs for the measured pages (SQLTransaction.page), with
    literals for the parameters: tenant 1, a cursor in the middle of the big tenant."""
    middle_at = "(timestamptz '2026-01-01T00:00:00Z' - make_interval(secs => {s}))" if pg else \
        "strftime('%Y-%m-%dT%H:%M:%f000Z', '2026-01-01T00:00:00', '-{s} seconds')"
    at = middle_at.format(s=big // 2 + 10)
    out = []
    for table, condition in [("jobs", "tenant_id = 1 AND status IN ('open')"), ("applications", "tenant_id = 1")]:
        count = f"(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {condition} LIMIT 10000) AS bounded)"
        first = f"SELECT {table}.id, {count} FROM {table} WHERE {condition} ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0"
        keyset = (f"SELECT {table}.id, {table}.created_at, {count} FROM {table} WHERE {condition} AND {table}.created_at <= {at} "
                  f"AND ({table}.created_at < {at} OR {table}.id < 9223372036854775807) ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0")
        out += [(f"{table} first page", first), (f"{table} deep page (cursor)", keyset)]
    return out


def explain(args):
    if args[0] == "sqlite":
        import sqlite3
        db = sqlite3.connect(args[1])
        for name, sql in list_statements(False, int(args[2])):
            print(f"-- {name}\n" + "\n".join(f"   {row[3]}" for row in db.execute("EXPLAIN QUERY PLAN " + sql)))
    else:
        cut = len(args) - 1 - args[::-1].index("--")
        psql, big = args[1:cut], int(args[cut + 1])
        for name, sql in list_statements(True, big):
            script = f"BEGIN;\nSET LOCAL app.tenant_id = '1';\nSET LOCAL jit = off;\nEXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql};\nCOMMIT;\n"
            plan = subprocess.run(psql + ["-q", "-At", "-v", "ON_ERROR_STOP=1"], input=script, text=True, check=True, capture_output=True).stdout
            print(f"-- {name}\n" + "\n".join("   " + line for line in plan.splitlines() if line.strip()))


def plot(results_path, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    results = json.load(open(results_path))
    fig, ax = plt.subplots(figsize=(10, 6.5), dpi=110)
    styles = {"sqlite": "-", "postgres": "--"}
    endpoints = list(next(iter(results["runs"].values()))[0]["endpoints"])
    colors = dict(zip(endpoints, plt.get_cmap("tab10").colors))
    for engine, runs in results["runs"].items():
        for endpoint in endpoints:
            xs = [r["size"] for r in runs]
            ys = [r["endpoints"][endpoint]["p50_ms"] for r in runs]
            faint = "for comparison" in endpoint
            ax.plot(xs, ys, styles.get(engine, "-"), marker="o", color=colors[endpoint], alpha=0.4 if faint else 1.0,
                    linewidth=1 if faint else 1.8, label=f"{endpoint} ({engine})")
    ax.axhline(10, color="red", linewidth=0.8, label="goal: 10 ms p50")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rows in the measured tenant (jobs, applications and candidates each; 99 other tenants)")
    ax.set_ylabel("p50 latency, ms (sequential requests, loopback)")
    ax.set_title(f"Cost as the data grows: p50 per page (solid SQLite, dashed PostgreSQL) — {results['date']} @ {results['commit']}", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6.5, loc="upper left", ncol=2)
    fig.tight_layout()
    fig.savefig(png)


if __name__ == "__main__":
    verb, rest = sys.argv[1], sys.argv[2:]
    if verb == "seed":
        seed(rest)
    elif verb == "sql":
        print(seed_sql(rest[0], int(rest[1]), int(rest[2]), int(rest[3])))
    elif verb == "time":
        time_lists(rest[0], rest[1], int(rest[2]), int(rest[3]))
    elif verb == "plot":
        plot(rest[0], rest[1])
    elif verb == "explain":
        explain(rest)
    else:
        sys.exit(__doc__)
