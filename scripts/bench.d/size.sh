# Sourced by scripts/bench (BENCH_PARTS=size): cost as the data grows (issue 16, part 3).
# For each engine and each size N in SIZES (default "1000 100000 1000000"): 100 tenants
# (SIZE_TENANTS), the `default` one holding N jobs, N candidates and N applications, each
# other one SIZE_SMALL (1,000) of each, seeded in SQL (scripts/bench.d/size_load.py) after
# `ats migrate up`; then the release `ats serve` (ATS_RATE_LIMIT=0) and SIZE_REQUESTS
# sequential requests per endpoint (latency, not throughput): p50 and p99 of the jobs and
# applications lists' first page and a deep page (by cursor; by offset too, for
# comparison) and of the candidates search with a selective and a 1 % term. Prints a
# table, writes ${BENCH_CACHE:-.build-bench}/cost-vs-size.json and plots p50 against size
# into docs/bench/cost-vs-size.png (matplotlib, in a venv under BENCH_CACHE). Exits
# non-zero when a measured page (not the offset comparison) misses 10 ms p50. The list
# statements' plans at each size go to BENCH_CACHE/explain-<engine>-<N>.txt.
# SIZE_BACKENDS=postgres runs one engine only; SIZE_LISTS=candidates measures only those lists
# (any of jobs applications candidates). The databases are dropped afterwards.
size_bench() {
  . scripts/services.sh
  ats_start_postgres >/dev/null
  swift build -c release --static-swift-stdlib --product ats 2>&1 | tail -n 1
  local sizes=${SIZES:-1000 100000 1000000} tenants=${SIZE_TENANTS:-100} small=${SIZE_SMALL:-1000} requests=${SIZE_REQUESTS:-200}
  local cache=${BENCH_CACHE:-.build-bench} port=${SIZE_PORT:-18650}
  local as_postgres="sudo -u postgres"; [ "$(id -u)" -eq 0 ] && as_postgres="runuser -u postgres --"
  local pgport=${ATS_TEST_POSTGRES_OWNER##*:}; pgport=${pgport%/}
  local secret="benchmark-secret-key-with-at-least-32-bytes"
  mkdir -p "$cache"
  if [ ! -x "$cache/venv/bin/python" ] || ! "$cache/venv/bin/python" -c "import matplotlib" 2>/dev/null; then
    python3 -m venv "$cache/venv"
    "$cache/venv/bin/pip" install -q matplotlib
  fi
  local lines="$tmp/size-results.jsonl"
  : >"$lines"
  for backend in ${SIZE_BACKENDS:-sqlite postgres}; do
    for n in $sizes; do
      local url started seed_s
      if [ "$backend" = sqlite ]; then
        rm -f "$tmp"/size.db*
        url="sqlite:///$tmp/size.db"
        DATABASE_URL="$url" $ATS migrate up >/dev/null
      else
        $as_postgres psql -q -p "$pgport" -c "DROP DATABASE IF EXISTS ats_size_bench" -c "CREATE DATABASE ats_size_bench OWNER ats_owner" 2>/dev/null
        url="${ATS_TEST_POSTGRES_APP}ats_size_bench"
        DATABASE_URL="$url" DATABASE_OWNER_URL="${ATS_TEST_POSTGRES_OWNER}ats_size_bench" $ATS migrate up >/dev/null
      fi
      started=$SECONDS
      if [ "$backend" = sqlite ]; then
        (cd scripts/bench.d && python3 size_load.py seed sqlite "$tmp/size.db" "$n" "$small" "$tenants")
      else
        (cd scripts/bench.d && python3 size_load.py seed postgres $as_postgres psql -p "$pgport" -d ats_size_bench -- "$n" "$small" "$tenants")
      fi
      seed_s=$((SECONDS - started))
      DATABASE_URL="$url" SECRET_KEY="$secret" ATS_PORT=$port LOG_LEVEL=warn ATS_RATE_LIMIT=0 "$ATS" serve 2>"$tmp/ats-size.log" &
      local ats_pid=$!
      pids+=("$ats_pid")
      for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
      echo "password123" | DATABASE_URL="$url" SECRET_KEY="$secret" $ATS user create --tenant default --email admin@size.bench --role admin >/dev/null
      local token measured
      token=$(curl -sf -H 'Content-Type: application/json' -d '{"email":"admin@size.bench","password":"password123"}' "http://127.0.0.1:$port/api/auth/login" \
        | python3 -c "import json,sys; print(json.load(sys.stdin)['access_token'])")
      measured=$(cd scripts/bench.d && python3 size_load.py time "http://127.0.0.1:$port" "$token" "$n" "$requests")
      # The plans at this size (the application role, under row-level security, on PostgreSQL).
      if [ "$backend" = sqlite ]; then
        (cd scripts/bench.d && python3 size_load.py explain sqlite "$tmp/size.db" "$n") >"$cache/explain-$backend-$n.txt"
      else
        (cd scripts/bench.d && python3 size_load.py explain postgres psql "${url}" -- "$n") >"$cache/explain-$backend-$n.txt"
      fi
      kill "$ats_pid" 2>/dev/null; wait "$ats_pid" 2>/dev/null || true
      echo "{\"engine\": \"$backend\", \"size\": $n, \"seed_s\": $seed_s, \"endpoints\": $measured}" >>"$lines"
      echo "$backend N=$n: seeded in ${seed_s}s; $measured"
    done
    if [ "$backend" = sqlite ]; then rm -f "$tmp"/size.db*; else $as_postgres psql -q -p "$pgport" -c "DROP DATABASE IF EXISTS ats_size_bench" 2>/dev/null; fi
  done
  mkdir -p docs/bench
  local commit; commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  python3 - "$lines" "$cache/cost-vs-size.json" "$commit" "$tenants" "$small" "$requests" <<'PY'
import json, sys, datetime
lines, out, commit, tenants, small, requests = sys.argv[1:7]
runs = {}
for line in open(lines):
    r = json.loads(line)
    runs.setdefault(r["engine"], []).append(r)
result = {"date": datetime.date.today().isoformat(), "commit": commit, "tenants": int(tenants), "small_tenant_rows": int(small),
          "requests_per_endpoint": int(requests), "goal_p50_ms": 10, "runs": runs}
json.dump(result, open(out, "w"), indent=1)
missed = 0
print(f"\n== cost as the data grows: {tenants} tenants ({small} rows in each small one), p50 / p99 ms of {requests} sequential requests ==")
print("| engine | rows | endpoint | p50 ms | p99 ms |")
print("| --- | ---: | --- | ---: | ---: |")
for engine, rs in runs.items():
    for r in rs:
        for name, v in r["endpoints"].items():
            goal = "for comparison" not in name
            flag = " ✗" if goal and v["p50_ms"] >= 10 else ""
            missed += 1 if flag else 0
            print(f"| {engine} | {r['size']:,} | {name} | {v['p50_ms']}{flag} | {v['p99_ms']} |")
print(f"goal: every page (offset comparison aside) under 10 ms p50; missed: {missed}")
open(out + ".missed", "w").write(str(missed))
PY
  # A run of some lists only (SIZE_LISTS) leaves the committed plot alone.
  if [ -z "${SIZE_LISTS:-}" ]; then
    "$cache/venv/bin/python" scripts/bench.d/size_load.py plot "$cache/cost-vs-size.json" docs/bench/cost-vs-size.png
    echo "results: $cache/cost-vs-size.json; plot: docs/bench/cost-vs-size.png"
  else
    echo "results: $cache/cost-vs-size.json (SIZE_LISTS=$SIZE_LISTS: no plot)"
  fi
  [ "$(cat "$cache/cost-vs-size.json.missed")" = 0 ]
}
