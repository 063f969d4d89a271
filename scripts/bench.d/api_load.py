#!/usr/bin/env python3
"""API benchmark helper (tooling only; not part of the product).

  api_load.py setup  BASE_URL KIND RECRUITER_TOKEN_FILE   -> creates 50 open jobs (and candidates), writes state JSON to stdout
  api_load.py writes BASE_URL STATE_JSON SECONDS CONCURRENCY -> apply + stage change mix; prints one JSON line

KIND is 'ats' or 'reference' (the FastAPI seed). Both speak the seed's paths.
"""
import http.client, json, statistics, sys, threading, time, urllib.parse

def conn(base):
    u = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)

def call(c, method, path, body=None, token=None, form=False):
    headers = {}
    data = None
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    c.request(method, path, body=data, headers=headers)
    r = c.getresponse()
    raw = r.read()
    return r.status, (json.loads(raw) if raw and raw[:1] in (b"{", b"[") else raw)

def login(c, email, password):
    status, body = call(c, "POST", "/api/auth/login", {"email": email, "password": password})
    if status != 200:
        sys.exit(f"login {email}: {status} {body}")
    return body["access_token"]

def setup(base, kind, recruiter_email, password, candidates):
    c = conn(base)
    if kind == "reference":
        call(c, "POST", "/api/auth/signup", {"email": recruiter_email, "password": password, "role": "recruiter"})
    recruiter = login(c, recruiter_email, password)
    jobs = []
    for i in range(50):
        status, body = call(c, "POST", "/api/jobs/", {"title": f"Job {i}", "company": f"Company {i % 7}", "location": "Remote",
                                                       "description": "A job created by the benchmark."}, recruiter)
        if status != 201:
            sys.exit(f"create job: {status} {body}")
        jobs.append(body["id"])
    tokens = []
    lock = threading.Lock()
    def make(start):
        cc = conn(base)
        for n in range(start, candidates, 8):
            email = f"cand{n}@bench.example"
            status, body = call(cc, "POST", "/api/auth/signup", {"email": email, "password": password})
            if status != 201:
                sys.exit(f"signup: {status} {body}")
            t = login(cc, email, password)
            with lock:
                tokens.append(t)
    threads = [threading.Thread(target=make, args=(s,)) for s in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(json.dumps({"recruiter": recruiter, "jobs": jobs, "candidates": tokens}))

def writes(base, state, seconds, concurrency):
    pairs = [(t, j) for t in state["candidates"] for j in state["jobs"]]
    lock = threading.Lock()
    position = [0]
    latencies, errors = [], [0]
    deadline = time.monotonic() + seconds
    def worker():
        c = conn(base)
        mine = []
        while time.monotonic() < deadline:
            with lock:
                if position[0] >= len(pairs):
                    break
                token, job = pairs[position[0]]
                position[0] += 1
            t0 = time.perf_counter()
            status, body = call(c, "POST", f"/api/jobs/{job}/apply", {}, token)
            if status != 201:
                errors[0] += 1
                continue
            status, body2 = call(c, "PATCH", f"/api/applications/{body['id']}/stage", {"stage": "screening"}, state["recruiter"])
            if status != 200:
                errors[0] += 1
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.monotonic() - start
    lat = sorted(latencies)
    p = lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 2) if lat else None
    print(json.dumps({"ops_per_s": round(len(lat) / elapsed, 1), "requests_per_s": round(2 * len(lat) / elapsed, 1),
                      "p50_ms": p(0.5), "p99_ms": p(0.99), "errors": errors[0], "ops": len(lat)}))

if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
    elif sys.argv[1] == "writes":
        writes(sys.argv[2], json.load(open(sys.argv[3])), float(sys.argv[4]), int(sys.argv[5]))
