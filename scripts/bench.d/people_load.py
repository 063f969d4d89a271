#!/usr/bin/env python3
"""People benchmark helper (tooling only; not part of the product).

  people_load.py seed  BASE_URL TOKEN COUNT     -> creates COUNT candidates through POST /api/candidates (8 threads)
  people_load.py login BASE_URL EMAIL PASSWORD SECONDS CONCURRENCY -> logins/s and latency percentiles, one JSON line
  people_load.py merge BASE_URL TOKEN PAIRS APPS -> PAIRS merges of two candidates with APPS applications each; one JSON line

Candidates get a name, an email, a phone and two tags out of a small vocabulary, so that
`q=` matches a realistic share of rows (a surname shared by ~1% of them).
"""
import json, statistics, sys, threading, time

SURNAMES = [f"surname{i:03d}" for i in range(100)]
TAGS = ["swift", "python", "go", "rust", "java", "kotlin", "react", "sql", "devops", "design", "sales", "support"]

# The HTTP helpers of the API benchmark (same folder, on sys.path as the script's own).
from api_load import conn, call

def seed(base, token, count):
    errors = []
    def work(start):
        c = conn(base)
        for n in range(start, count, 8):
            body = {"email": f"person{n}@pool.example", "full_name": f"Person{n} {SURNAMES[n % len(SURNAMES)]}",
                    "phone": f"+44 20 7946 {n:06d}", "tags": [TAGS[n % len(TAGS)], TAGS[(n // 7) % len(TAGS)]], "source": "bench"}
            status, resp = call(c, "POST", "/api/candidates", body, token)
            if status != 201:
                errors.append(f"{status} {resp}")
                return
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    started = time.time()
    for t in threads: t.start()
    for t in threads: t.join()
    if errors:
        sys.exit("seed: " + errors[0])
    print(json.dumps({"candidates": count, "seconds": round(time.time() - started, 1)}))

def login(base, email, password, seconds, concurrency):
    latencies = []
    lock = threading.Lock()
    failures = [0]
    stop = time.time() + seconds
    def work():
        c = conn(base)
        mine = []
        while time.time() < stop:
            t0 = time.perf_counter()
            try:
                status, _ = call(c, "POST", "/api/auth/login", {"email": email, "password": password})
            except OSError:
                status = 0
                c = conn(base)
            mine.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                failures[0] += 1
        with lock: latencies.extend(mine)
    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for t in threads: t.start()
    for t in threads: t.join()
    latencies.sort()
    if not latencies: latencies = [0.0]
    print(json.dumps({"logins_per_s": round(len(latencies) / seconds, 1), "p50_ms": round(statistics.median(latencies), 1),
                      "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1), "failures": failures[0]}))

def merge(base, token, pairs, apps):
    c = conn(base)
    jobs = []
    for i in range(2 * apps):
        status, body = call(c, "POST", "/api/jobs/", {"title": f"Merge job {i}", "company": "Bench"}, token)
        if status != 201: sys.exit(f"job: {status} {body}")
        jobs.append(body["id"])
    timings = []
    for p in range(pairs):
        ids = []
        for side in range(2):
            status, body = call(c, "POST", "/api/candidates", {"email": f"merge{p}-{side}@pool.example", "full_name": f"Merge {p}"}, token)
            if status != 201: sys.exit(f"candidate: {status} {body}")
            ids.append(body["id"])
            for job in jobs[side * apps:(side + 1) * apps]:
                status, body = call(c, "POST", f"/api/jobs/{job}/applications", {"candidate_id": ids[-1], "notify_candidate": False}, token)
                if status != 201: sys.exit(f"application: {status} {body}")
        t0 = time.perf_counter()
        status, body = call(c, "POST", f"/api/candidates/{ids[0]}/merge", {"duplicate_id": ids[1]}, token)
        timings.append((time.perf_counter() - t0) * 1000)
        if status != 200: sys.exit(f"merge: {status} {body}")
    print(json.dumps({"merges": pairs, "applications_each": apps, "median_ms": round(statistics.median(timings), 1),
                      "max_ms": round(max(timings), 1)}))

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "seed": seed(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "login": login(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "merge": merge(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else: sys.exit(__doc__)
