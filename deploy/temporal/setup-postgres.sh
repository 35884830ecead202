#!/bin/sh
# Creates Temporal's two databases on PostgreSQL and brings their schemas up to date. Safe to
# run again: a database that exists is kept, and update-schema applies only what is missing.
# Runs in temporalio/admin-tools (temporal-sql-tool; SQL_PASSWORD is read from the environment).
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
PORT=${DB_PORT:-5432}
SCHEMAS=/etc/temporal/schema/postgresql/v12

until nc -z -w 5 "$POSTGRES_SEEDS" "$PORT"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$PORT"
  sleep 2
done

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$PORT" --db "$@"
}

for db in temporal:temporal temporal_visibility:visibility; do
  name=${db%%:*}
  schema=${db##*:}
  if sql "$name" create; then
    sql "$name" setup-schema -v 0.0
  else
    echo "database $name exists"
  fi
  sql "$name" update-schema -d "$SCHEMAS/$schema/versioned"
done
echo 'Temporal schema up to date'
