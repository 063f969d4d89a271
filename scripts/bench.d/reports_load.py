#!/usr/bin/env python3
"""Reports benchmark helper (tooling only; not part of the product).

  reports_load.py seed sqlite PATH TENANTS APPS   -> fills a migrated SQLite database
  reports_load.py seed postgres PSQL_ARGS... -- TENANTS APPS -> prints nothing; runs the SQL through psql (superuser)
  reports_load.py sql postgres|sqlite TENANTS APPS -> prints the seeding SQL
  reports_load.py time BASE_URL TOKEN REQUESTS    -> median/p90 ms of each report; one JSON line
  reports_load.py bulk BASE_URL TOKEN ROUNDS SIZE IDS_FILE -> median ms of bulk moves of SIZE applications; one JSON line

The seed writes straight into the tables (an API seed of a million applications would
take hours): per tenant 1 recruiter, CANDIDATES candidates, 20 jobs with the standard
pipeline, APPS applications (each candidate applied to every job) and 5 stage-history
entries per application along four paths (hired; rejected at offer; rejected at
screening, reopened, now in interview; rejected at interview, reopened), so the
history has APPS*5 rows. The first tenant is `default`; the others are `rep-2`…
"""
import json, statistics, subprocess, sys, time

from api_load import conn, call

JOBS = 20
STEPS = {  # variant -> [(from, to)]
    0: [(None, "applied"), ("applied", "screening"), ("screening", "interview"), ("interview", "offer"), ("offer", "hired")],
    1: [(None, "applied"), ("applied", "screening"), ("screening", "interview"), ("interview", "offer"), ("offer", "rejected")],
    2: [(None, "applied"), ("applied", "screening"), ("screening", "rejected"), ("rejected", "screening"), ("screening", "interview")],
    3: [(None, "applied"), ("applied", "screening"), ("screening", "interview"), ("interview", "rejected"), ("rejected", "interview")],
}
FINAL = {0: "hired", 1: "rejected", 2: "interview", 3: "interview"}
SOURCES = ["'linkedin'", "'referral'", "'careers'", "NULL", "'indeed'"]
STANDARD = [("applied", "Applied", 1, "applied"), ("screening", "Screening", 2, "screening"), ("interview", "Interview", 3, "interview"),
            ("offer", "Offer", 4, "offer"), ("hired", "Hired", 5, "hired"), ("rejected", "Rejected", 6, "rejected")]


def seed_sql(dialect, tenants, apps):
    pg = dialect == "postgres"
    candidates = apps // JOBS
    now = "now()" if pg else "strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')"

    def ago(hours_expr):
        return f"(now() - make_interval(hours => ({hours_expr})::int))" if pg else \
            f"strftime('%Y-%m-%dT%H:%M:%f000Z', 'now', '-' || ({hours_expr}) || ' hours')"

    def plus(ts, hours_expr):
        return f"({ts} + make_interval(hours => ({hours_expr})::int))" if pg else \
            f"strftime('%Y-%m-%dT%H:%M:%f000Z', {ts}, '+' || ({hours_expr}) || ' hours')"

    def series(n):
        return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "

    out = []
    if pg:
        out.append("SET synchronous_commit = off;")
    else:
        out.append("PRAGMA foreign_keys = ON;")
    # Per step: whether it is the application's first entry into that stage, and
    # whether it is its last entry (its stay still open).
    def first(rows, k):
        return all(t != rows[k][1] for _, t in rows[:k])
    steps = " UNION ALL ".join(f"SELECT {v} AS variant, {k} AS step, {('NULL' if f is None else repr(f))} AS from_stage, '{t}' AS to_stage, "
                               f"{'true' if first(rows, k) else 'false'} AS first_entry, {'true' if k == len(rows) - 1 else 'false'} AS last"
                               for v, rows in STEPS.items() for k, (f, t) in enumerate(rows))
    stages = " UNION ALL ".join(f"SELECT '{k}' AS key, '{n}' AS name, {p} AS position, '{kind}' AS kind" for k, n, p, kind in STANDARD)
    def insert(table, columns, select, rownum):
        """INSERT … SELECT; SQLite's ids come from id_sequences (as the app reserves them)."""
        if pg:
            out.append(f"INSERT INTO {table} ({columns}) {select};")
        else:
            cut = select.index(") SELECT ") + 2 if select.startswith("WITH") else 0
            head, _, tail = select[cut:].partition("SELECT ")
            head = select[:cut] + head
            out.append(f"INSERT INTO {table} (id, {columns}) {head}SELECT (SELECT value FROM id_sequences WHERE name = '{table}') + {rownum}, {tail};")
            out.append(f"UPDATE id_sequences SET value = (SELECT max(id) FROM {table}) WHERE name = '{table}';")

    for t in range(1, tenants + 1):
        slug = "default" if t == 1 else f"rep-{t}"
        tenant = f"(SELECT id FROM tenants WHERE slug = '{slug}')"
        if t > 1:
            insert("tenants", "slug, name, created_at",
                   f"SELECT '{slug}', 'Tenant {t}', {now} WHERE NOT EXISTS (SELECT 1 FROM tenants WHERE slug = '{slug}')", "1")
        insert("users", "tenant_id, email, password_hash, full_name, role, is_active, created_at, updated_at",
               f"SELECT {tenant}, 'seed-recruiter@{slug}.bench', 'x', 'Seed Recruiter', 'recruiter', true, {now}, {now}", "1")
        insert("users", "tenant_id, email, password_hash, full_name, role, is_active, created_at, updated_at",
               f"{series(candidates)}SELECT {tenant}, 'c' || i || '@{slug}.bench', 'x', 'Candidate ' || i, 'candidate', true, {now}, {now} FROM n", "i")
        insert("jobs", "tenant_id, title, company, status, created_by, created_at, updated_at",
               f"{series(JOBS)}SELECT {tenant}, 'Job ' || i, 'Bench', 'open', "
               f"(SELECT id FROM users WHERE tenant_id = {tenant} AND email = 'seed-recruiter@{slug}.bench'), {now}, {now} FROM n", "i")
        insert("pipelines", "tenant_id, job_id, allow_skip, allow_back, created_at",
               f"SELECT tenant_id, id, false, false, {now} FROM jobs j WHERE tenant_id = {tenant} "
               f"AND NOT EXISTS (SELECT 1 FROM pipelines p WHERE p.tenant_id = j.tenant_id AND p.job_id = j.id)", "row_number() OVER ()")
        insert("pipeline_stages", "tenant_id, pipeline_id, key, name, position, kind",
               f"SELECT p.tenant_id, p.id, s.key, s.name, s.position, s.kind FROM pipelines p CROSS JOIN ({stages}) s "
               f"WHERE p.tenant_id = {tenant} AND p.job_id IS NOT NULL "
               f"AND NOT EXISTS (SELECT 1 FROM pipeline_stages x WHERE x.tenant_id = p.tenant_id AND x.pipeline_id = p.id)", "row_number() OVER ()")
        # Created over the last 80 days; the source from the pair.
        source = "CASE (u.id + j.id) % 5 " + " ".join(f"WHEN {i} THEN {s}" for i, s in enumerate(SOURCES)) + " END"
        insert("applications", "tenant_id, job_id, candidate_id, stage, version, created_at, updated_at, source",
               f"SELECT u.tenant_id, j.id, u.id, 'applied', 1, {ago('(u.id * 31 + j.id * 17) % 1920')}, {now}, {source} "
               f"FROM users u JOIN jobs j ON j.tenant_id = u.tenant_id WHERE u.tenant_id = {tenant} AND u.role = 'candidate' "
               f"AND u.email LIKE 'c%@{slug}.bench'", "row_number() OVER ()")
        # With the report columns as the application writes them (migration 0016).
        insert("application_events", "tenant_id, application_id, from_stage, to_stage, actor_id, note, created_at, applied_at, job_id, first_entry, stay_seconds",
               f"SELECT a.tenant_id, a.id, s.from_stage, s.to_stage, NULL, NULL, {plus('a.created_at', 's.step * (12 + (a.id % 5) * 12)')}, "
               f"a.created_at, a.job_id, s.first_entry, CASE WHEN s.last THEN NULL ELSE (12 + (a.id % 5) * 12) * 3600 END "
               f"FROM applications a JOIN ({steps}) s ON s.variant = a.id % 4 WHERE a.tenant_id = {tenant} ORDER BY a.id, s.step",
               "row_number() OVER (ORDER BY a.id, s.step)")
        final = "CASE id % 4 " + " ".join(f"WHEN {v} THEN '{s}'" for v, s in FINAL.items()) + " END"
        out.append(f"UPDATE applications SET stage = {final} WHERE tenant_id = {tenant};")
    # As autovacuum would leave a live database: statistics, and a visibility map for
    # index-only scans (VACUUM cannot run in SQLite's seed transaction; ANALYZE can).
    out.append("VACUUM ANALYZE;" if pg else "ANALYZE;")
    return "\n".join(out)


def seed(args):
    dialect = args[0]
    if dialect == "sqlite":
        import sqlite3
        path, tenants, apps = args[1], int(args[2]), int(args[3])
        db = sqlite3.connect(path)
        db.executescript("BEGIN;\n" + seed_sql("sqlite", tenants, apps) + "\nCOMMIT;")
        db.close()
    else:
        cut = len(args) - 1 - args[::-1].index("--")
        psql, (tenants, apps) = args[1:cut], (int(args[cut + 1]), int(args[cut + 2]))
        subprocess.run(psql + ["-q", "-v", "ON_ERROR_STOP=1"], input=seed_sql("postgres", tenants, apps), text=True, check=True)


def timed(c, method, path, token, body=None):
    t0 = time.perf_counter()
    status, resp = call(c, method, path, body, token)
    ms = (time.perf_counter() - t0) * 1000
    if status != 200:
        sys.exit(f"{method} {path}: {status} {resp}")
    return ms, resp


def time_reports(base, token, requests):
    c = conn(base)
    out = {}
    job = call(c, "GET", "/api/jobs?limit=1", None, token)[1]
    job_id = job[0]["id"] if isinstance(job, list) else job["items"][0]["id"]
    for name, path in [("funnel", "/api/reports/funnel"), ("funnel_job", f"/api/reports/funnel?job_id={job_id}"),
                       ("time_in_stage", "/api/reports/time-in-stage"), ("time_in_stage_job", f"/api/reports/time-in-stage?job_id={job_id}"),
                       ("sources", "/api/reports/sources")]:
        timed(c, "GET", path, token)  # warm
        samples = sorted(timed(c, "GET", path, token)[0] for _ in range(requests))
        out[name] = {"median_ms": round(statistics.median(samples), 1), "p90_ms": round(samples[int(0.9 * (len(samples) - 1))], 1)}
    _, funnel = timed(c, "GET", "/api/reports/funnel", token)
    out["applications_in_window"] = funnel["applications"]
    print(json.dumps(out))


def bulk(base, token, rounds, size, ids_file):
    ids = [int(x) for x in open(ids_file).read().split()]
    if len(ids) < rounds * size:
        sys.exit(f"bulk: only {len(ids)} applications in interview")
    c = conn(base)
    samples = []
    for r in range(rounds):
        batch = ids[r * size:(r + 1) * size]
        ms, resp = timed(c, "POST", "/api/applications/bulk-stage", token, {"application_ids": batch, "stage": "offer", "note": "bench"})
        if len(resp["applications"]) != size:
            sys.exit("bulk: not every application moved")
        samples.append(ms)
    print(json.dumps({"size": size, "rounds": rounds, "median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}))


if __name__ == "__main__":
    verb, rest = sys.argv[1], sys.argv[2:]
    if verb == "seed":
        seed(rest)
    elif verb == "sql":
        print(seed_sql(rest[0], int(rest[1]), int(rest[2])))
    elif verb == "time":
        time_reports(rest[0], rest[1], int(rest[2]))
    elif verb == "bulk":
        bulk(rest[0], rest[1], int(rest[2]), int(rest[3]), rest[4])
    else:
        sys.exit(__doc__)
