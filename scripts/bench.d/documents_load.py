"""Document upload/download load for scripts/bench (BENCH_PARTS=documents).

  documents_load.py throughput BASE TOKEN CANDIDATE_ID ROUNDS
      one 10 MiB PDF uploaded (raw body) and downloaded ROUNDS times, one at a time:
      prints "upload_mib_s download_mib_s" (medians)
  documents_load.py concurrent BASE TOKEN CANDIDATE_ID COUNT PID
      COUNT clients upload a 10 MiB PDF each at the same moment (a 503 is retried after
      its Retry-After); the server's RSS (PID) is sampled every 10 ms throughout:
      prints "peak_rss_mib seconds accepted retries_503"
"""
import http.client
import os
import statistics
import sys
import threading
import time
from urllib.parse import urlparse

SIZE = 10 << 20


def pdf():
    # Random bytes after a PDF header: recognized as a PDF, incompressible, all distinct.
    return b"%PDF-1.7\n" + os.urandom(SIZE - 9)


def connection(base):
    url = urlparse(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=120)


def upload(base, token, candidate, body):
    """(status, seconds, retry_after)"""
    c = connection(base)
    start = time.perf_counter()
    c.request("POST", f"/api/candidates/{candidate}/documents?filename=bench.pdf", body=body,
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/pdf"})
    r = c.getresponse()
    payload = r.read()
    elapsed = time.perf_counter() - start
    c.close()
    doc_id = None
    if r.status == 201:
        import json
        doc_id = json.loads(payload)["id"]
    return r.status, elapsed, r.getheader("Retry-After"), doc_id


def download(base, token, doc_id):
    c = connection(base)
    start = time.perf_counter()
    c.request("GET", f"/api/documents/{doc_id}/content", headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    data = r.read()
    elapsed = time.perf_counter() - start
    c.close()
    assert r.status == 200 and len(data) == SIZE, (r.status, len(data))
    return elapsed


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def throughput(base, token, candidate, rounds):
    ups, downs = [], []
    for _ in range(rounds):
        status, seconds, _, doc_id = upload(base, token, candidate, pdf())
        assert status == 201, status
        ups.append(SIZE / (1 << 20) / seconds)
        downs.append(SIZE / (1 << 20) / download(base, token, doc_id))
    print(f"{statistics.median(ups):.0f} {statistics.median(downs):.0f}")


def concurrent(base, token, candidate, count, pid):
    bodies = [pdf() for _ in range(count)]
    peak = [rss_kib(pid)]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.01)

    retries = [0]
    accepted = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def client(i):
        barrier.wait()
        while True:
            status, _, retry_after, _ = upload(base, token, candidate, bodies[i])
            if status == 503:
                with lock:
                    retries[0] += 1
                time.sleep(float(retry_after or 1))
                continue
            assert status == 201, status
            with lock:
                accepted[0] += 1
            return

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    print(f"{peak[0] / 1024:.0f} {elapsed:.1f} {accepted[0]} {retries[0]}")


if __name__ == "__main__":
    mode, base, token, candidate = sys.argv[1:5]
    if mode == "throughput":
        throughput(base, token, candidate, int(sys.argv[5]))
    else:
        concurrent(base, token, candidate, int(sys.argv[5]), int(sys.argv[6]))
