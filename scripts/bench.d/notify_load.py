#!/usr/bin/env python3
"""Notification benchmark helper (tooling only; not part of the product).

  notify_load.py stage-latency BASE_URL RECRUITER_EMAIL PASSWORD APPLICATIONS
      -> one candidate applies to APPLICATIONS new jobs, then every application walks
         applied -> screening -> interview -> offer -> hired, one PATCH at a time on one
         keep-alive connection; prints a JSON line with the stage-change latency (ms).
  notify_load.py wait-sent PSQL_ARGS... -- TOTAL TIMEOUT
      -> polls the outbox until TOTAL rows are 'sent'; prints seconds from the first
         sent row to the last (the delivery window) and the rate.
"""
import json, statistics, subprocess, sys, time
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from api_load import call, conn, login  # noqa: E402

def stage_latency(base, recruiter_email, password, applications):
    c = conn(base)
    recruiter = login(c, recruiter_email, password)
    email = f"notify{int(time.time() * 1000)}@bench.example"
    status, body = call(c, "POST", "/api/auth/signup", {"email": email, "password": password})
    if status != 201:
        sys.exit(f"signup: {status} {body}")
    candidate = login(c, email, password)
    apps = []
    for i in range(applications):
        status, job = call(c, "POST", "/api/jobs/", {"title": f"Notify {i}", "company": "Bench"}, recruiter)
        if status != 201:
            sys.exit(f"create job: {status} {job}")
        status, app = call(c, "POST", f"/api/jobs/{job['id']}/apply", {}, candidate)
        if status != 201:
            sys.exit(f"apply: {status} {app}")
        apps.append(app["id"])
    latencies = []
    for stage in ("screening", "interview", "offer", "hired"):
        for app in apps:
            start = time.perf_counter()
            status, body = call(c, "PATCH", f"/api/applications/{app}/stage", {"stage": stage}, recruiter)
            latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                sys.exit(f"stage change: {status} {body}")
    latencies.sort()
    print(json.dumps({"stage_changes": len(latencies), "p50_ms": round(statistics.median(latencies), 3),
                      "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 3), "mean_ms": round(statistics.mean(latencies), 3)}))

def wait_sent(psql, total, timeout):
    query = ("SELECT count(*) FILTER (WHERE status = 'sent'), "
             "extract(epoch FROM max(sent_at) - min(sent_at)), count(*) FILTER (WHERE status = 'dead') FROM outbox")
    deadline = time.time() + timeout
    while True:
        out = subprocess.run(psql + ["-Atc", query], capture_output=True, text=True, check=True).stdout.strip()
        sent, window, dead = out.split("|")
        if int(sent) + int(dead) >= total:
            window = float(window or 0)
            print(json.dumps({"sent": int(sent), "dead": int(dead), "window_s": round(window, 3),
                              "per_s": round(int(sent) / window, 1) if window else None}))
            return
        if time.time() > deadline:
            sys.exit(f"only {sent} of {total} sent after {timeout} s")
        time.sleep(0.2)

if __name__ == "__main__":
    if sys.argv[1] == "stage-latency":
        stage_latency(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif sys.argv[1] == "wait-sent":
        split = len(sys.argv) - 1 - sys.argv[::-1].index("--")
        wait_sent(sys.argv[2:split], int(sys.argv[split + 1]), float(sys.argv[split + 2]))
    else:
        sys.exit(__doc__)
