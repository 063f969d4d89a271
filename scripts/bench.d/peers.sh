# shellcheck shell=bash
# The peer benchmark with goals (issue 16), sourced by scripts/bench: BENCH_PARTS=peers scripts/bench
#
# In one invocation, alternating ours / the peer inside each round (ROUNDS, default 5;
# DURATION seconds each, default 10; wrk -t1 -c64), against the release build with its
# default settings and ATS_RATE_LIMIT=0:
#   GET /healthz                           ats  vs nginx `return 200` (2 workers)
#   GET /api/jobs/?limit=20, SQLite        ats  vs the FastAPI seed (uvicorn, 2 workers, its own SQLite file)
#   GET /api/jobs/?limit=20, PostgreSQL    ats  vs Hummingbird 2 + PostgresNIO (its own database)
# each over the same 50 jobs; then, per engine, the server's peak RSS (VmHWM) under the
# jobs-list load and VmRSS after MEMORY_FIRST and after MEMORY_REQUESTS requests (default
# 100,000 and 500,000); and the RSS with 10,000 idle keep-alive connections open.
# Beside every round: the server's CPU time per request, utime + stime from /proc/<pid>/stat
# (of the whole process tree for nginx and uvicorn) before and after the wrk run, divided
# by the requests wrk made; on PostgreSQL also that of the backends serving its database. scripts/bench.d/peers_report.py prints the tables, each goal
# with PASS/MISS, a `RESULT {json}` line (and the same JSON into $BENCH_OUT if set); the
# script exits 1 after cleanup when a goal is missed. Never run by CI (too noisy).
#
# Knobs: BENCH_CACHE (default .build-bench: the seed's venv and the Hummingbird build, both
# outside the tracked files), HB_PEER_DIR (default ../shared/peers/hummingbird),
# HB_PG_POOL_SIZE (default: our own pool default, ATS_DB_POOL or two per core, so both
# servers hold as many PostgreSQL connections), PEERS_PORT_BASE (default 18600: uses the
# next 7 ports), MEMORY_REQUESTS, MEMORY_FIRST, BENCH_OUT, PEERS_PARTS (default
# "healthz sqlite postgres": fewer to rerun one comparison; the report judges what ran).

proc_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# A process and all its descendants (nginx's workers, uvicorn's worker processes).
tree_pids() {
  echo "$1"
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$child"; done
}
tree_ticks() {
  local total=0 p t
  for p in $(tree_pids "$1"); do
    t=$(cpu_ticks "$p" 2>/dev/null) || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
# Peak RSS counts from here on (after the setup's logins, whose Argon2id hashing is not
# the jobs-list load): writing 5 to clear_refs resets VmHWM to the current RSS.
reset_peak() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || echo "note: could not reset VmHWM of $1" >&2; }

wait_http() {
  local url
  for _ in $(seq 300); do
    for url in "$@"; do curl -sf -o /dev/null "$url" 2>/dev/null || continue 2; done
    return 0
  done
  echo "not answering: $*" >&2
  return 1
}

# The PostgreSQL backends serving DATABASE: "pid:ticks ..." (psql itself connects to
# `postgres`, so it is not among them).
db_ticks() {
  local p t
  for p in $($as_postgres psql -At -p "$peers_pgport" -c "SELECT pid FROM pg_stat_activity WHERE datname = '$1'" 2>/dev/null); do
    t=$(cpu_ticks "$p" 2>/dev/null) && echo -n "$p:$t "
  done
}

# One measured round: server label, root pid (its tree is counted), URL, and for
# PostgreSQL the server's database (its backends' CPU is counted apart) → a JSON line in
# $peers_data. A backend that appeared during the round counts from zero.
peers_round() {
  local endpoint=$1 server=$2 pid=$3 url=$4 round=$5 db=${6:-} before after r requests db_before="" db_after=""
  [ -n "$db" ] && db_before=$(db_ticks "$db")
  before=$(tree_ticks "$pid")
  r=$(WRK_RAW="$tmp/peers-wrk.out" run_wrk "$url" 64)
  after=$(tree_ticks "$pid")
  [ -n "$db" ] && db_after=$(db_ticks "$db")
  requests=$(awk '/requests in/ {print $1}' "$tmp/peers-wrk.out")
  local error_detail; error_detail=$(grep -E 'Non-2xx|Socket errors' "$tmp/peers-wrk.out" | sed 's/^ *//' | paste -sd';' || true)
  set -- $r
  python3 -c "import json,sys; a=sys.argv
rps,p50,p99,err,req,ticks,hz=float(a[4]),float(a[5]),float(a[6]),int(a[7]),int(a[8] or 0),int(a[9]),int(a[10])
row={'type':'round','endpoint':a[1],'server':a[2],'round':int(a[3]),'rps':rps,'p50_ms':p50,'p99_ms':p99,
  'errors':err,'requests':req,'cpu_us_per_req':round(ticks/hz*1e6/max(req,1),1)}
if a[13]:
    before=dict(x.split(':') for x in a[11].split()); after=dict(x.split(':') for x in a[12].split())
    db=sum(int(v)-int(before.get(k,0)) for k,v in after.items())
    row['db_cpu_us_per_req']=round(db/hz*1e6/max(req,1),1)
if a[14]:
    row['error_detail']=a[14]
print(json.dumps(row))" \
    "$endpoint" "$server" "$round" "$1" "$2" "$3" "$4" "$requests" "$((after - before))" "$hz" "$db_before" "$db_after" "$db" "$error_detail" \
    | tee -a "$peers_data" \
    | python3 -c "import json,sys; d=json.load(sys.stdin); db=f\"  (+{d['db_cpu_us_per_req']:.1f} us PostgreSQL)\" if 'db_cpu_us_per_req' in d else ''
print(f\"{d['endpoint']:<14} round {d['round']}  {d['server']:<12} {d['rps']:>9.0f} req/s  p50 {d['p50_ms']:6.2f} ms  p99 {d['p99_ms']:6.2f} ms  {d['cpu_us_per_req']:7.1f} us CPU/req{db}  errors {d['errors']} {d.get('error_detail', '')}\")"
}

# VmRSS flat over MEMORY_REQUESTS requests: wrk in 2 s runs until the count is reached,
# VmRSS sampled when MEMORY_FIRST is passed and at the end; then VmHWM since reset_peak.
peers_memory() {
  local engine=$1 pid=$2 url=$3 peer_pid=$4 total=0 first_rss="" first_n="" n DURATION=2
  while [ "$total" -lt "$MEMORY_REQUESTS" ]; do
    WRK_RAW="$tmp/peers-mem.out" run_wrk "$url" 64 >/dev/null
    n=$(awk '/requests in/ {print $1}' "$tmp/peers-mem.out")
    total=$((total + ${n:-0}))
    if [ -z "$first_rss" ] && [ "$total" -ge "$MEMORY_FIRST" ]; then first_rss=$(proc_kib "$pid" VmRSS); first_n=$total; fi
    [ "${n:-0}" -gt 0 ] || { echo "memory run: wrk made no request" >&2; break; }
  done
  local last_rss hwm peer_hwm
  last_rss=$(proc_kib "$pid" VmRSS); hwm=$(proc_kib "$pid" VmHWM); peer_hwm=$(proc_kib "$peer_pid" VmHWM)
  echo "{\"type\":\"memory\",\"engine\":\"$engine\",\"rss_first_kib\":${first_rss:-0},\"first_requests\":${first_n:-0},\"rss_last_kib\":$last_rss,\"total_requests\":$total,\"hwm_kib\":$hwm,\"setup_hwm_kib\":${setup_hwm[$engine]:-0},\"peer_hwm_kib\":${peer_hwm:-0}}" \
    | tee -a "$peers_data"
}

# The Hummingbird peer, built once into $BENCH_CACHE/hummingbird (about 9 minutes).
install_hummingbird() {
  local dir=$1 source="${HB_PEER_DIR:-../shared/peers/hummingbird}"
  if [ ! -x "$dir/peer-hb/.build/release/PeerHummingbird" ]; then
    if [ ! -f "$dir/run.sh" ]; then
      [ -x "$source/run.sh" ] || { echo "this part needs the Hummingbird peer: set HB_PEER_DIR to a copy of it" >&2; exit 1; }
      mkdir -p "$(dirname "$dir")"; cp -r "$source" "$dir"; chmod -R u+w "$dir"
    fi
    echo "==> building the Hummingbird peer (release, about 9 minutes; once)"
    "$dir/run.sh" build
  fi
}

peers_cleanup() {
  local p
  for p in ${peers_trees[@]+"${peers_trees[@]}"}; do kill $(tree_pids "$p") 2>/dev/null || true; done
  # uvicorn by its exact command line with its own port, should a worker have left the tree.
  [ -n "${peers_seed_port:-}" ] && pkill -f "uvicorn app.main:app --host 127.0.0.1 --port $peers_seed_port" 2>/dev/null || true
  [ -f "$tmp/peers-nginx/nginx.pid" ] && kill "$(cat "$tmp/peers-nginx/nginx.pid")" 2>/dev/null || true
  if [ -n "${peers_pgport:-}" ]; then
    $as_postgres psql -q -p "$peers_pgport" -c "DROP DATABASE IF EXISTS ats_peers_bench" -c "DROP DATABASE IF EXISTS hb_bench" 2>/dev/null || true
  fi
}

peers_bench() {
  local ROUNDS=$PEERS_ROUNDS DURATION=$PEERS_DURATION hz; hz=$(getconf CLK_TCK)
  local base=${PEERS_PORT_BASE:-18600}
  local nginx_port=$((base + 1)) health_port=$((base + 2)) lite_port=$((base + 3)) seed_port=$((base + 4)) pg_port=$((base + 5)) hb_port=$((base + 6))
  peers_seed_port=$seed_port
  MEMORY_REQUESTS=${MEMORY_REQUESTS:-500000}; MEMORY_FIRST=${MEMORY_FIRST:-100000}
  local cache; cache=$(realpath -m "${BENCH_CACHE:-.build-bench}")
  local secret="benchmark-secret-key-with-at-least-32-bytes" root; root=$(pwd)
  as_postgres="sudo -u postgres"; [ "$(id -u)" -eq 0 ] && as_postgres="runuser -u postgres --"
  peers_data="$tmp/peers.jsonl"; : >"$peers_data"
  peers_trees=()
  declare -gA setup_hwm=()
  trap 'peers_cleanup; cleanup' EXIT

  . scripts/services.sh
  ats_start_postgres >/dev/null
  ats_apt_install python3-venv
  peers_pgport=${ATS_TEST_POSTGRES_OWNER##*:}; peers_pgport=${peers_pgport%/}
  install_reference "$cache/fastapi-seed"
  local parts=" ${PEERS_PARTS:-healthz sqlite postgres} "
  [[ $parts == *" postgres "* ]] && install_hummingbird "$cache/hummingbird"
  local hb_bin="$cache/hummingbird/peer-hb/.build/release/PeerHummingbird"
  local cores; cores=$(nproc)
  # Our pool default: ATS_DB_POOL, else ATS_WORKERS, else two per core (Configuration.swift).
  local hb_pool=${HB_PG_POOL_SIZE:-${ATS_DB_POOL:-${ATS_WORKERS:-$((2 * cores))}}}
  local commit; commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD 2>/dev/null || commit="$commit+dirty"
  echo "{\"type\":\"meta\",\"date\":\"$(date -u +%Y-%m-%dT%H:%MZ)\",\"commit\":\"$commit\",\"rounds\":$ROUNDS,\"duration_s\":$DURATION,\"wrk\":\"-t$WRK_THREADS -c64\",\"cores\":$cores,\"hb_pool\":$hb_pool,\"memory_requests\":$MEMORY_REQUESTS,\"memory_first\":$MEMORY_FIRST}" >>"$peers_data"

  [[ $parts == *" healthz "* ]] && peers_healthz
  [[ $parts == *" sqlite "* ]] && peers_sqlite
  [[ $parts == *" postgres "* ]] && peers_postgres
  echo
  python3 scripts/bench.d/peers_report.py "$peers_data" || PEERS_MISSED=1
}

peers_healthz() {
  # --- 1. /healthz: ats vs nginx -------------------------------------------------------
  # ATS_MAX_CONNECTIONS=20000 only so that the 10,000 idle connections below (and the
  # /metrics request beside them) fit under the limit; it changes nothing else.
  start_nginx "$tmp/peers-nginx" "$nginx_port"
  (cd "$tmp" && exec env DATABASE_URL="sqlite:///$tmp/peers-health.db" SECRET_KEY="$secret" ATS_PORT=$health_port LOG_LEVEL=warn \
    ATS_RATE_LIMIT=0 ATS_MAX_CONNECTIONS=20000 "$root/$ATS" serve 2>"$tmp/peers-health.log") &
  local health_pid=$!; pids+=("$health_pid")
  wait_http "http://127.0.0.1:$health_port/healthz" "http://127.0.0.1:$nginx_port/healthz"
  local nginx_pid; nginx_pid=$(cat "$tmp/peers-nginx/nginx.pid")
  local idle_rss; idle_rss=$(proc_kib "$health_pid" VmRSS)
  echo "== /healthz: ats vs nginx =="
  for round in $(seq "$ROUNDS"); do
    peers_round healthz ats "$health_pid" "http://127.0.0.1:$health_port/healthz" "$round"
    peers_round healthz nginx "$nginx_pid" "http://127.0.0.1:$nginx_port/healthz" "$round"
  done
  kill "$nginx_pid" 2>/dev/null || true

  # 10,000 idle keep-alive connections on the same server (as the http part does).
  local fifo="$tmp/peers-hold"; mkfifo "$fifo"
  HOLD_SECONDS=60 python3 scripts/bench.d/hold_connections.py "$health_port" 10000 <"$fifo" >"$tmp/peers-hold.out" &
  local holder=$!
  exec 8>"$fifo"
  for _ in $(seq 600); do grep -q ready "$tmp/peers-hold.out" 2>/dev/null && break; kill -0 "$holder" 2>/dev/null || break; sleep 0.2; done
  local held_rss=0 open=0
  if grep -q ready "$tmp/peers-hold.out"; then
    sleep 1
    held_rss=$(proc_kib "$health_pid" VmRSS)
    open=$(curl -s "http://127.0.0.1:$health_port/metrics" | awk '/^http_connections_open/ {print $2}')
  else
    echo "could not open 10,000 connections: $(cat "$tmp/peers-hold.out")" >&2
  fi
  exec 8>&-
  wait "$holder" || true
  echo "{\"type\":\"idle\",\"connections\":10000,\"opened\":$(grep -c ready "$tmp/peers-hold.out" || true),\"idle_rss_kib\":$idle_rss,\"rss_kib\":$held_rss,\"server_open\":${open:-0}}" | tee -a "$peers_data"
  kill "$health_pid" 2>/dev/null; wait "$health_pid" 2>/dev/null || true
}

peers_sqlite() {
  # --- 2. jobs list on SQLite: ats vs the FastAPI seed -----------------------------------
  echo; echo "== GET /api/jobs/?limit=20, SQLite: ats vs the FastAPI seed =="
  rm -f "$tmp"/peers-ats.db* "$tmp"/peers-seed.db*
  (cd "$tmp" && exec env DATABASE_URL="sqlite:///$tmp/peers-ats.db" SECRET_KEY="$secret" ATS_PORT=$lite_port LOG_LEVEL=warn \
    ATS_SIGNUP_RATE=0 ATS_RATE_LIMIT=0 "$root/$ATS" serve 2>"$tmp/peers-ats-sqlite.log") &
  local lite_pid=$!; pids+=("$lite_pid")
  (cd "$tmp" && DATABASE_URL="sqlite:///$tmp/peers-seed.db" SECRET_KEY="$secret" PORT=$seed_port WORKERS=2 \
    "$cache/fastapi-seed/run.sh" serve >"$tmp/peers-seed.log" 2>&1) &
  local seed_pid=$!; peers_trees+=("$seed_pid")
  wait_http "http://127.0.0.1:$lite_port/healthz" "http://127.0.0.1:$seed_port/healthz"
  echo "password123" | DATABASE_URL="sqlite:///$tmp/peers-ats.db" SECRET_KEY="$secret" "$ATS" user create --tenant default --email rec@bench.example --role recruiter >/dev/null
  python3 scripts/bench.d/api_load.py setup "http://127.0.0.1:$lite_port" ats rec@bench.example password123 0 >/dev/null
  python3 scripts/bench.d/api_load.py setup "http://127.0.0.1:$seed_port" reference rec@bench.example password123 0 >/dev/null
  peers_body_sizes "$lite_port" "$seed_port"
  setup_hwm[sqlite]=$(proc_kib "$lite_pid" VmHWM); reset_peak "$lite_pid"
  for round in $(seq "$ROUNDS"); do
    peers_round jobs-sqlite ats "$lite_pid" "http://127.0.0.1:$lite_port/api/jobs/?limit=20" "$round"
    peers_round jobs-sqlite seed "$seed_pid" "http://127.0.0.1:$seed_port/api/jobs/?limit=20" "$round"
  done
  kill $(tree_pids "$seed_pid") 2>/dev/null || true
  pkill -f "uvicorn app.main:app --host 127.0.0.1 --port $seed_port" 2>/dev/null || true
  wait "$seed_pid" 2>/dev/null || true
  echo "memory, SQLite: $MEMORY_REQUESTS requests of the jobs list"
  peers_memory sqlite "$lite_pid" "http://127.0.0.1:$lite_port/api/jobs/?limit=20" 0
  peers_log_warnings "$tmp/peers-ats-sqlite.log"
  kill "$lite_pid" 2>/dev/null; wait "$lite_pid" 2>/dev/null || true
}

peers_postgres() {
  # --- 3. jobs list on PostgreSQL: ats vs Hummingbird + PostgresNIO ---------------------
  echo; echo "== GET /api/jobs/?limit=20, PostgreSQL: ats vs Hummingbird 2 + PostgresNIO (pool $hb_pool) =="
  $as_postgres psql -q -p "$peers_pgport" -c "DROP DATABASE IF EXISTS ats_peers_bench" -c "CREATE DATABASE ats_peers_bench OWNER ats_owner" \
    -c "DROP DATABASE IF EXISTS hb_bench" -c "CREATE DATABASE hb_bench OWNER ats_owner" 2>/dev/null
  local pg_url="${ATS_TEST_POSTGRES_APP}ats_peers_bench"
  DATABASE_URL="$pg_url" DATABASE_OWNER_URL="${ATS_TEST_POSTGRES_OWNER}ats_peers_bench" "$ATS" migrate up >/dev/null
  DATABASE_URL="$pg_url" SECRET_KEY="$secret" ATS_PORT=$pg_port LOG_LEVEL=warn ATS_SIGNUP_RATE=0 ATS_RATE_LIMIT=0 "$ATS" serve 2>"$tmp/peers-ats-pg.log" &
  local pg_pid=$!; pids+=("$pg_pid")
  DATABASE_URL="postgresql://ats_owner:ats_owner@127.0.0.1:$peers_pgport/hb_bench" PORT=$hb_port PG_POOL_SIZE=$hb_pool LOG_LEVEL=warning \
    "$hb_bin" >"$tmp/peers-hb.log" 2>&1 &
  local hb_pid=$!; pids+=("$hb_pid")
  wait_http "http://127.0.0.1:$pg_port/healthz" "http://127.0.0.1:$hb_port/healthz"
  echo "password123" | DATABASE_URL="$pg_url" SECRET_KEY="$secret" "$ATS" user create --tenant default --email rec@bench.example --role recruiter >/dev/null
  python3 scripts/bench.d/api_load.py setup "http://127.0.0.1:$pg_port" ats rec@bench.example password123 0 >/dev/null
  # The peer created its jobs table at start; the same 50 rows as api_load.py setup writes.
  $as_postgres psql -q -p "$peers_pgport" -d hb_bench -v ON_ERROR_STOP=1 -c "INSERT INTO jobs (title, company, description, location, status, created_at)
    SELECT 'Job ' || g, 'Company ' || (g % 7), 'A job created by the benchmark.', 'Remote', 'open', now() FROM generate_series(0, 49) g"
  peers_body_sizes "$pg_port" "$hb_port"
  setup_hwm[postgres]=$(proc_kib "$pg_pid" VmHWM); reset_peak "$pg_pid"; reset_peak "$hb_pid"
  for round in $(seq "$ROUNDS"); do
    peers_round jobs-postgres ats "$pg_pid" "http://127.0.0.1:$pg_port/api/jobs/?limit=20" "$round" ats_peers_bench
    peers_round jobs-postgres hummingbird "$hb_pid" "http://127.0.0.1:$hb_port/api/jobs/?limit=20" "$round" hb_bench
  done
  echo "memory, PostgreSQL: $MEMORY_REQUESTS requests of the jobs list"
  peers_memory postgres "$pg_pid" "http://127.0.0.1:$pg_port/api/jobs/?limit=20" "$hb_pid"
  peers_log_warnings "$tmp/peers-ats-pg.log"
  kill "$pg_pid" "$hb_pid" 2>/dev/null; wait "$pg_pid" "$hb_pid" 2>/dev/null || true
  $as_postgres psql -q -p "$peers_pgport" -c "DROP DATABASE IF EXISTS ats_peers_bench" -c "DROP DATABASE IF EXISTS hb_bench" 2>/dev/null
}

# Our server logs at LOG_LEVEL=warn: what it said during the load (errors behind a non-2xx).
peers_log_warnings() {
  [ -s "$1" ] || return 0
  echo "$(basename "$1"): $(wc -l <"$1") lines logged at warn or above; the last 5:"
  tail -n 5 "$1" | cut -c1-300
}

# The two answers compared, once: status, body bytes and number of jobs, so a reader sees
# that both lists hold the same 20 jobs.
peers_body_sizes() {
  local port
  for port in "$@"; do
    curl -s -o "$tmp/peers-body.json" -w "%{http_code} " "http://127.0.0.1:$port/api/jobs/?limit=20"
    python3 -c "import json,sys; b=open(sys.argv[1],'rb').read(); d=json.loads(b); items=d if isinstance(d,list) else d.get('items',d.get('data',[]))
print(f'port {sys.argv[2]}: {len(b)} bytes, {len(items)} jobs')" "$tmp/peers-body.json" "$port"
  done
}
