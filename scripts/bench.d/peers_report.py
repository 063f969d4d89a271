#!/usr/bin/env python3
"""Report of the peer benchmark (scripts/bench.d/peers.sh; tooling only, not part of the product).

  peers_report.py DATA.jsonl

Reads the JSON lines the benchmark wrote (meta, one per wrk round, memory per engine, idle
connections), prints per endpoint the rounds, the medians, each ratio with its goal and
PASS/MISS, then a summary of every goal and a `RESULT {json}` line (also written to
$BENCH_OUT when set). Exits 1 when any goal is missed. The goals are issue 16's.
"""
import json, os, statistics, sys

MIB = 1024
# The memory goals are in decimal megabytes (25 MB = 24,414 KiB), the stricter reading.
MB_KIB = 1e6 / 1024


def mem(kib):
    return f"{kib / MIB:.1f} MiB = {kib / MB_KIB:.1f} MB"

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
meta = next((r for r in rows if r["type"] == "meta"), {})
rounds = [r for r in rows if r["type"] == "round"]
memory = {r["engine"]: r for r in rows if r["type"] == "memory"}
idle = next((r for r in rows if r["type"] == "idle"), None)

goals = []  # (name, measured text, goal text, passed)


def goal(name, measured, target, passed):
    goals.append((name, measured, target, bool(passed)))
    return "PASS" if passed else "MISS"


def med(values):
    return statistics.median(values) if values else 0.0


ENDPOINTS = [
    # endpoint, title, ours, peer, ratio goal, every round?, our p99 goal (ms)
    ("healthz", "GET /healthz: ats vs nginx `return 200` (2 workers)", "ats", "nginx", 0.8, False, 5.0),
    ("jobs-sqlite", "GET /api/jobs/?limit=20, SQLite (50 jobs): ats vs the FastAPI seed (uvicorn, 2 workers)", "ats", "seed", 30.0, True, 10.0),
    ("jobs-postgres", f"GET /api/jobs/?limit=20, PostgreSQL (50 jobs): ats vs Hummingbird 2 + PostgresNIO (pool {meta.get('hb_pool', '?')})",
     "ats", "hummingbird", 1.5, False, 20.0),
]

summary = {"date": meta.get("date"), "commit": meta.get("commit"), "rounds": meta.get("rounds"),
           "duration_s": meta.get("duration_s"), "wrk": meta.get("wrk"), "hb_pool": meta.get("hb_pool"), "endpoints": {}}

print(f"== peers, {meta.get('date')} commit {meta.get('commit')}: wrk {meta.get('wrk')}, {meta.get('duration_s')} s x "
      f"{meta.get('rounds')} alternating rounds, medians; CPU = the server's utime+stime per request ==")
for endpoint, title, ours, peer, ratio_goal, every_round, p99_goal in ENDPOINTS:
    data = [r for r in rounds if r["endpoint"] == endpoint]
    if not data:
        continue
    print()
    print(f"-- {title}")
    with_db = any("db_cpu_us_per_req" in r for r in data)
    db_head = f" {'PG CPU us/req':>13}" if with_db else ""
    print(f"{'round':>5}  {'server':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/req':>11}{db_head} {'errors':>6}")
    for r in data:
        db = f" {r.get('db_cpu_us_per_req', 0):>13.1f}" if with_db else ""
        print(f"{r['round']:>5}  {r['server']:<12} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['cpu_us_per_req']:>11.1f}{db} {r['errors']:>6}")
    result = {}
    for server in (ours, peer):
        mine = [r for r in data if r["server"] == server]
        result[server] = {
            "rps": round(med([r["rps"] for r in mine])), "p50_ms": med([r["p50_ms"] for r in mine]),
            "p99_ms": med([r["p99_ms"] for r in mine]), "cpu_us_per_req": med([r["cpu_us_per_req"] for r in mine]),
            "errors": sum(r["errors"] for r in mine),
        }
        m = result[server]
        db = ""
        if with_db:
            m["db_cpu_us_per_req"] = med([r.get("db_cpu_us_per_req", 0) for r in mine])
            db = f" {m['db_cpu_us_per_req']:>13.1f}"
        print(f"{'med':>5}  {server:<12} {m['rps']:>9.0f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} {m['cpu_us_per_req']:>11.1f}{db} {m['errors']:>6}")
    ratio = result[ours]["rps"] / max(result[peer]["rps"], 1)
    per_round = []
    for n in sorted({r["round"] for r in data}):
        a = [r["rps"] for r in data if r["round"] == n and r["server"] == ours]
        b = [r["rps"] for r in data if r["round"] == n and r["server"] == peer]
        if a and b:
            per_round.append(a[0] / max(b[0], 1))
    cpu_ratio = result[peer]["cpu_us_per_req"] / max(result[ours]["cpu_us_per_req"], 0.1)
    print(f"ratio {ours}/{peer} req/s: {ratio:.2f}x (rounds: {', '.join(f'{x:.2f}' for x in per_round)}); "
          f"CPU per request: {ours} {result[ours]['cpu_us_per_req']:.1f} us, {peer} {result[peer]['cpu_us_per_req']:.1f} us "
          f"({peer}/{ours} {cpu_ratio:.2f}x)"
          + (f"; PostgreSQL backends: {result[ours]['db_cpu_us_per_req']:.1f} us and {result[peer]['db_cpu_us_per_req']:.1f} us" if with_db else ""))
    if every_round:
        worst = min(per_round) if per_round else 0
        verdict = goal(f"{endpoint}: req/s >= {ratio_goal:g}x {peer} in every round", f"min {worst:.2f}x, median {ratio:.2f}x",
                       f">= {ratio_goal:g}x", worst >= ratio_goal)
        print(f"  goal: >= {ratio_goal:g}x {peer} in every round: worst round {worst:.2f}x  {verdict}")
    else:
        verdict = goal(f"{endpoint}: req/s >= {ratio_goal:g}x {peer}", f"{ratio:.2f}x", f">= {ratio_goal:g}x", ratio >= ratio_goal)
        print(f"  goal: >= {ratio_goal:g}x {peer}: {ratio:.2f}x  {verdict}")
    p99 = result[ours]["p99_ms"]
    verdict = goal(f"{endpoint}: our p99 < {p99_goal:g} ms", f"{p99:.2f} ms", f"< {p99_goal:g} ms", p99 < p99_goal)
    print(f"  goal: our p99 < {p99_goal:g} ms: {p99:.2f} ms (median of the rounds)  {verdict}")
    errors = result[ours]["errors"]
    verdict = goal(f"{endpoint}: ours without non-2xx or socket errors", f"{errors} rounds with errors", "0", errors == 0)
    if errors:
        details = "; ".join(f"round {r['round']}: {r.get('error_detail', '?')}" for r in data if r["server"] == ours and r["errors"])
        print(f"  ours had non-2xx answers or socket errors in {errors} round(s) ({details})  {verdict}")
    if result[peer]["errors"]:
        print(f"  note: {peer} had non-2xx answers or socket errors in {result[peer]['errors']} round(s)")
    summary["endpoints"][endpoint] = {"ours": result[ours], "peer": peer, "peer_result": result[peer],
                                      "ratio": round(ratio, 2), "ratio_per_round": [round(x, 2) for x in per_round]}

if memory:
    print()
    print("-- memory under the jobs-list load (VmHWM counted from the end of the setup; VmRSS sampled during the long run)")
    summary["memory"] = {}
    for engine, m in memory.items():
        growth = 100.0 * (m["rss_last_kib"] - m["rss_first_kib"]) / max(m["rss_first_kib"], 1)
        peer = f"; Hummingbird peak {mem(m['peer_hwm_kib'])}" if m.get("peer_hwm_kib") else ""
        print(f"{engine}: peak RSS {mem(m['hwm_kib'])} ({m['hwm_kib']} KiB; before, during the setup's logins: "
              f"{mem(m['setup_hwm_kib'])}){peer}")
        print(f"{engine}: VmRSS {m['rss_first_kib']} KiB after {m['first_requests']:,} requests, {m['rss_last_kib']} KiB after "
              f"{m['total_requests']:,}: {growth:+.1f} %")
        verdict = goal(f"memory {engine}: peak RSS <= 25 MB", mem(m["hwm_kib"]), "<= 25 MB", m["hwm_kib"] <= 25 * MB_KIB)
        print(f"  goal: peak RSS <= 25 MB: {verdict}")
        verdict = goal(f"memory {engine}: RSS flat within 10 % over {m['total_requests']:,} requests", f"{growth:+.1f} %",
                       "within 10 %", m["first_requests"] > 0 and abs(growth) <= 10.0)
        print(f"  goal: flat within 10 %: {verdict}")
        summary["memory"][engine] = {**{k: v for k, v in m.items() if k not in ("type", "engine")}, "growth_pct": round(growth, 1)}

if idle:
    print()
    ok = idle["opened"] > 0 and idle["rss_kib"] < 100 * MB_KIB
    print(f"-- 10,000 idle keep-alive connections: RSS {mem(idle['rss_kib'])} (idle before: {mem(idle['idle_rss_kib'])}; "
          f"server reports {idle['server_open']} open)")
    verdict = goal("10,000 idle keep-alive connections in < 100 MB", mem(idle["rss_kib"]) if idle["opened"] else "not opened",
                   "< 100 MB", ok)
    print(f"  goal: < 100 MB: {verdict}")
    summary["idle_connections"] = {k: v for k, v in idle.items() if k != "type"}

print()
print("== goals (issue 16) ==")
for name, measured, target, passed in goals:
    print(f"{'PASS' if passed else 'MISS'}  {name}: {measured} (goal {target})")
missed = sum(1 for g in goals if not g[3])
print(f"{len(goals) - missed} of {len(goals)} goals met" + (f"; {missed} missed: exit 1" if missed else ""))
summary["goals"] = [{"goal": n, "measured": m, "target": t, "pass": p} for n, m, t, p in goals]
summary["missed"] = missed
line = json.dumps(summary, separators=(",", ":"))
print("RESULT " + line)
if os.environ.get("BENCH_OUT"):
    with open(os.environ["BENCH_OUT"], "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
sys.exit(1 if missed else 0)
