#!/usr/bin/env bash
# A local PostgreSQL streaming replica (hot standby) of the main cluster, to try the dashboard's
# read URL (REFORM_DB_READ_URL) and for tests/test_replica.py. Debian's postgresql-common only
# (pg_createcluster, pg_ctlcluster, pg_dropcluster); run as root, the clusters run as postgres.
#
#   scripts/pg_replica_setup.sh            # = setup: create, copy (pg_basebackup -R), start
#   scripts/pg_replica_setup.sh status     # both clusters, and the replica's lag
#   scripts/pg_replica_setup.sh teardown   # stop and delete the replica, undo the pg_hba line
#
# Then: export REFORM_TEST_PG_REPLICA_URL=postgresql+psycopg://postgres@127.0.0.1:5433/test
#
# What setup changes on the primary: one pg_hba.conf line allowing replication connections from
# 127.0.0.1 without a password (marked, removed by teardown), and a reload. It needs
# wal_level = replica or logical (the default) and max_wal_senders > 0 (default 10); changing
# those takes a restart, which this script never does. No replication slot is made, so a
# replica left stopped cannot fill the primary's disk with retained WAL; one stopped too long
# cannot catch up and must be set up again (teardown, setup). The replica is a throw-away copy
# for this machine: it runs without fsync (and is copied without syncing), so it is quick to set
# up (about 10-20 s) and not fit to keep data through a crash; a production standby is made by
# the same steps without those two speed-ups (see README, "Bản sao chỉ đọc (replica) PostgreSQL").
#
# Settings (environment): PG_VERSION (default: the newest in /etc/postgresql), PG_PRIMARY_CLUSTER
# (main), PG_PRIMARY_PORT (5432), PG_REPLICA_NAME (replica), PG_REPLICA_PORT (5433).
set -euo pipefail

VERSION=${PG_VERSION:-$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)}
PRIMARY=${PG_PRIMARY_CLUSTER:-main}
PRIMARY_PORT=${PG_PRIMARY_PORT:-5432}
NAME=${PG_REPLICA_NAME:-replica}
PORT=${PG_REPLICA_PORT:-5433}
HOST=127.0.0.1
MARK="# added by scripts/pg_replica_setup.sh"
HBA_LINE="host    replication     all             127.0.0.1/32            trust"

die() { echo "pg_replica_setup: $*" >&2; exit 1; }
as_pg() { runuser -u postgres -- "$@"; }
psql_at() { psql -X -h "$HOST" -p "$1" -U postgres -d postgres -Atc "$2"; }

command -v pg_createcluster >/dev/null 2>&1 || die "pg_createcluster not found (Debian postgresql-common)"
[ "$(id -u)" = 0 ] || die "run as root (the clusters belong to the user postgres)"
[ -n "$VERSION" ] || die "no PostgreSQL version in /etc/postgresql"
HBA=/etc/postgresql/$VERSION/$PRIMARY/pg_hba.conf
DATA=/var/lib/postgresql/$VERSION/$NAME

exists() { pg_lsclusters -h | awk -v v="$VERSION" -v n="$NAME" '$1 == v && $2 == n {f=1} END {exit !f}'; }

status() {
  pg_lsclusters
  if exists && pg_isready -q -h "$HOST" -p "$PORT"; then
    psql_at "$PORT" "SELECT 'in recovery: ' || pg_is_in_recovery()
      || ', caught up: ' || coalesce((pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn())::text, 'unknown')
      || ', last replayed transaction: ' || coalesce(pg_last_xact_replay_timestamp()::text, 'none yet')"
  fi
}

allow_replication() {
  [ -f "$HBA" ] || die "no $HBA: is the primary cluster $VERSION/$PRIMARY?"
  local rules
  rules=$(psql_at "$PRIMARY_PORT" "SELECT count(*) FROM pg_hba_file_rules
    WHERE type = 'host' AND 'replication' = ANY(database) AND auth_method = 'trust'
      AND (address = '127.0.0.1' OR address IS NULL)")
  if [ "$rules" = 0 ]; then
    # before the other lines: pg_hba.conf is read top-down and the first match wins
    awk -v line="$HBA_LINE  $MARK" '!done && /^[[:space:]]*(local|host)/ {print line; done=1}
      {print} END {if (!done) print line}' "$HBA" > "$HBA.new"
    cat "$HBA.new" > "$HBA" && rm -f "$HBA.new"  # cat keeps the file's owner and mode
    psql_at "$PRIMARY_PORT" "SELECT pg_reload_conf()" >/dev/null
    echo "primary: replication from $HOST allowed in $HBA (reloaded)"
  fi
}

setup() {
  pg_isready -q -h "$HOST" -p "$PRIMARY_PORT" || die "the primary is not answering on $HOST:$PRIMARY_PORT"
  if exists; then
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do pg_isready -q -h "$HOST" -p "$PORT" && break; sleep 0.5; done
    if [ "$(psql_at "$PORT" 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]; then
      echo "replica $VERSION/$NAME already running on port $PORT"; return 0
    fi
    die "a cluster $VERSION/$NAME exists but is not a running standby: run '$0 teardown' first"
  fi
  local level senders
  level=$(psql_at "$PRIMARY_PORT" "SHOW wal_level")
  senders=$(psql_at "$PRIMARY_PORT" "SHOW max_wal_senders")
  case "$level" in replica|logical) ;; *) die "primary wal_level is '$level' (needs replica; restart required)";; esac
  [ "$senders" -gt 0 ] || die "primary max_wal_senders is 0 (needs > 0; restart required)"
  allow_replication

  local started=$SECONDS t0
  pg_createcluster "$VERSION" "$NAME" -p "$PORT" -- --no-sync >/dev/null
  # the replica is a copy of the primary: replace the fresh data directory by a base backup;
  # -R writes standby.signal and primary_conninfo, -X stream copies the WAL it needs
  find "$DATA" -mindepth 1 -delete
  as_pg pg_basebackup -D "$DATA" -h "$HOST" -p "$PRIMARY_PORT" -U postgres -X stream -R -c fast --no-sync
  # the same sign-in rules as the primary (Debian keeps them in /etc, outside the copied data)
  cat "$HBA" > "/etc/postgresql/$VERSION/$NAME/pg_hba.conf"
  # queries on the replica do not get cancelled for rows the primary's vacuum removed
  pg_conftool -s "$VERSION" "$NAME" set hot_standby_feedback on
  # a throw-away copy on this machine (after a crash: teardown, setup): no fsync, which also
  # spares the start a sync of every copied file (seconds on a busy disk)
  pg_conftool -s "$VERSION" "$NAME" set fsync off
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start
  for _ in $(seq 1 30); do pg_isready -q -h "$HOST" -p "$PORT" && break; sleep 0.5; done
  [ "$(psql_at "$PORT" 'SELECT pg_is_in_recovery()')" = t ] || die "the replica did not start as a standby"
  echo "replica $VERSION/$NAME streaming from port $PRIMARY_PORT on port $PORT ($((SECONDS - started)) s)"
  echo "export REFORM_TEST_PG_REPLICA_URL=postgresql+psycopg://postgres@$HOST:$PORT/test"
}

teardown() {
  if exists; then
    pg_dropcluster --stop "$VERSION" "$NAME"
    echo "replica $VERSION/$NAME stopped and deleted"
  fi
  if [ -f "$HBA" ] && grep -q "$MARK" "$HBA"; then
    grep -vF "$MARK" "$HBA" > "$HBA.new" || true
    cat "$HBA.new" > "$HBA" && rm -f "$HBA.new"
    psql_at "$PRIMARY_PORT" "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
    echo "primary: the replication line removed from $HBA (reloaded)"
  fi
}

case "${1:-setup}" in
  setup) setup ;;
  status) status ;;
  teardown) teardown ;;
  *) die "usage: $0 [setup|status|teardown]" ;;
esac
