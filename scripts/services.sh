# Sourced by scripts/test (and scripts/bench): installs and starts on loopback what the
# tests need, and exports how to reach it. Needs root or sudo (apt, pg_ctlcluster).
#   PostgreSQL 15 cluster "main" on 127.0.0.1:5432 with two roles:
#     ats_owner  owns the test databases and the tables (migrations), may CREATEDB
#     ats_app    what the server connects as: no ownership, so row-level security binds it

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

ats_apt_install() {
  local need=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "==> installing ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

ats_start_postgres() {
  ats_apt_install postgresql-15 postgresql-client-15
  local cluster_port
  if ! pg_lsclusters -h | awk '$1==15 && $2=="main"' | grep -q .; then
    $SUDO pg_createcluster 15 main >/dev/null
  fi
  if ! pg_lsclusters -h | awk '$1==15 && $2=="main" {print $4}' | grep -q online; then
    echo "==> starting PostgreSQL 15"
    # After an unclean stop (a session's processes killed) PostgreSQL syncs the data
    # directory before it accepts connections; pg_ctl's default 60 s wait was not
    # always enough. syncfs syncs the file system once instead of every file.
    $SUDO pg_ctlcluster 15 main start -- -t 600 -o "-c recovery_init_sync_method=syncfs"
  fi
  cluster_port=$(pg_lsclusters -h | awk '$1==15 && $2=="main" {print $3}')
  local as_postgres="sudo -u postgres"; [ "$(id -u)" -eq 0 ] && as_postgres="runuser -u postgres --"
  $as_postgres psql -q -p "$cluster_port" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ats_owner') THEN
    CREATE ROLE ats_owner LOGIN CREATEDB PASSWORD 'ats_owner';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ats_app') THEN
    CREATE ROLE ats_app LOGIN PASSWORD 'ats_app';
  END IF;
END
$$;
-- A test drops its database WITH (FORCE), which ends the app role's connections to it:
-- the owner may signal other roles' backends (without this, every such drop failed and
-- the databases piled up by the thousand).
GRANT pg_signal_backend TO ats_owner;
SQL
  export ATS_TEST_POSTGRES_OWNER="postgres://ats_owner:ats_owner@127.0.0.1:${cluster_port}/"
  export ATS_TEST_POSTGRES_APP="postgres://ats_app:ats_app@127.0.0.1:${cluster_port}/"
  export ATS_TEST_POSTGRES_APP_ROLE="ats_app"
  # Only for the separate run of the restart test (see scripts/test).
  ATS_POSTGRES_RESTART_COMMAND="$SUDO pg_ctlcluster 15 main restart"
}

# Test databases (`ats_t_…`, Sources/ATSTestSupport/TestDatabase.swift) are dropped by
# the test that made them; a run that was killed leaves its own behind. Dropping them
# here keeps the cluster small (thousands of leftovers made a crash recovery's sync
# outlast pg_ctl's wait).
ats_drop_test_databases() {
  local port="${1:-$(pg_lsclusters -h | awk '$1==15 && $2=="main" {print $3}')}" as_postgres="sudo -u postgres"; [ "$(id -u)" -eq 0 ] && as_postgres="runuser -u postgres --"
  local leftovers
  # Only those nobody is connected to: another test run on this machine keeps its own.
  leftovers=$($as_postgres psql -At -p "$port" -c "SELECT datname FROM pg_database d WHERE datname LIKE 'ats\_t\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)")
  [ -z "$leftovers" ] && return 0
  echo "==> dropping $(echo "$leftovers" | wc -l) leftover test databases"
  echo "$leftovers" | sed 's/.*/DROP DATABASE IF EXISTS "&" WITH (FORCE);/' | $as_postgres psql -q -p "$port" >/dev/null
}

# aiosmtpd: a real SMTP server for the notification tests (scripts/smtp-sink.py).
ats_install_smtp_sink() {
  ats_apt_install openssl
  python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install -q aiosmtpd
}

# redis-server: the queue tests start their own instances on free loopback ports.
ats_install_redis() {
  ats_apt_install redis-server
}
