#!/usr/bin/env bash
# Creates the ats database and its two roles. The official postgres image runs
# this once, as the superuser, when its data volume is empty
# (/docker-entrypoint-initdb.d/); on an existing volume it never runs again, so
# changing the passwords in .env later needs ALTER ROLE (see deploy/SCALING.md).
#
#   ATS_DB_OWNER     owns the database and the tables; `ats migrate up` connects as it
#   ATS_DB_APP_ROLE  what `ats serve` / `ats worker` connect as: no ownership, so
#                    the FORCEd row-level security policies bind every query
#
# Environment (from docker-compose.yml, itself from .env): ATS_DB_NAME,
# ATS_DB_OWNER, ATS_DB_OWNER_PASSWORD, ATS_DB_APP_ROLE, ATS_DB_APP_PASSWORD;
# POSTGRES_USER / POSTGRES_DB as the image sets them. Values reach SQL only as
# psql variables (:'x' literals, :"x" identifiers), never pasted into the SQL.
#
# The image sources a script that is not executable instead of running it; the
# subshell keeps `set -u` and friends out of the image's entrypoint either way.
(
set -euo pipefail
: "${ATS_DB_NAME:?}" "${ATS_DB_OWNER:?}" "${ATS_DB_OWNER_PASSWORD:?}" "${ATS_DB_APP_ROLE:?}" "${ATS_DB_APP_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 -q --no-psqlrc \
  --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v db="$ATS_DB_NAME" \
  -v owner="$ATS_DB_OWNER" -v owner_password="$ATS_DB_OWNER_PASSWORD" \
  -v app="$ATS_DB_APP_ROLE" -v app_password="$ATS_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';
CREATE DATABASE :"db" OWNER :"owner";
-- Only the two roles may connect; `ats migrate up` grants the app role its
-- table privileges after each migration.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
\connect :"db"
-- The owner creates the tables in schema public; nobody else may.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
echo "init-roles: database '$ATS_DB_NAME' owned by '$ATS_DB_OWNER'; application role '$ATS_DB_APP_ROLE'"
)
