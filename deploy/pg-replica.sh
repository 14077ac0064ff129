#!/bin/sh
# A PostgreSQL primary and a streaming read replica on two loopback ports, made with Debian's cluster tools
# (pg_createcluster, pg_basebackup, pg_ctlcluster). For trying the app's database router locally and for its test:
#
#   sudo deploy/pg-replica.sh up      # primary on 5441, replica on 5442 (PRIMARY_PORT / REPLICA_PORT to change)
#   sudo deploy/pg-replica.sh status
#   sudo deploy/pg-replica.sh down    # stops and drops both clusters (only these two)
#
# It never touches another cluster (the main one on 5432 included). After `up` it prints the URLs:
#   DATABASE_URL=postgres://wuye:…@127.0.0.1:5441/wuye  DATABASE_REPLICA_URL=postgres://wuye:…@127.0.0.1:5442/wuye
# In production the replica runs on another machine: the same steps with its address instead of 127.0.0.1.
set -eu

VERSION="${PG_VERSION:-15}"
PRIMARY="${PRIMARY_CLUSTER:-wuyeprimary}"
REPLICA="${REPLICA_CLUSTER:-wuyereplica}"
PRIMARY_PORT="${PRIMARY_PORT:-5441}"
REPLICA_PORT="${REPLICA_PORT:-5442}"
DB="${REPLICA_DB:-wuye}"
APP_USER="${REPLICA_APP_USER:-wuye}"
APP_PASSWORD="${REPLICA_APP_PASSWORD:-wuye-replica-test}"
REPL_PASSWORD="${REPLICA_REPL_PASSWORD:-wuye-replication-test}"

as_pg() { runuser -u postgres -- "$@"; }
psql_primary() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres "$@"; }

cluster_exists() { pg_lsclusters -h | awk -v v="$VERSION" -v c="$1" '$1 == v && $2 == c { found = 1 } END { exit !found }'; }

port_free() {
    if pg_lsclusters -h | awk -v p="$1" '$3 == p { found = 1 } END { exit !found }'; then return 1; fi
    ! (ss -ltn 2>/dev/null | awk '{ print $4 }' | grep -q ":$1\$")
}

up() {
    for c in "$PRIMARY" "$REPLICA"; do
        if cluster_exists "$c"; then echo "cluster $VERSION/$c exists already: run '$0 down' first" >&2; exit 1; fi
    done
    for p in "$PRIMARY_PORT" "$REPLICA_PORT"; do
        port_free "$p" || { echo "port $p is in use: set PRIMARY_PORT / REPLICA_PORT" >&2; exit 1; }
    done

    # the primary: loopback only, WAL for one streaming standby, a replication role allowed from loopback
    pg_createcluster "$VERSION" "$PRIMARY" -p "$PRIMARY_PORT" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    conf="/etc/postgresql/$VERSION/$PRIMARY"
    cat >>"$conf/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 4
wal_keep_size = '256MB'
hot_standby = on
CONF
    # trust for the local superuser over TCP on loopback only (the test drops and creates its database)
    sed -i '1i host all postgres 127.0.0.1/32 trust\nhost replication replicator 127.0.0.1/32 scram-sha-256' \
        "$conf/pg_hba.conf"
    pg_ctlcluster "$VERSION" "$PRIMARY" start
    psql_primary -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$REPL_PASSWORD'"
    psql_primary -c "CREATE ROLE $APP_USER WITH LOGIN CREATEDB PASSWORD '$APP_PASSWORD'"
    psql_primary -c "CREATE DATABASE $DB OWNER $APP_USER"

    # the replica: a cluster of the same version whose data directory is a base backup of the primary,
    # with standby.signal and primary_conninfo written by pg_basebackup -R
    pg_createcluster "$VERSION" "$REPLICA" -p "$REPLICA_PORT" >/dev/null
    rconf="/etc/postgresql/$VERSION/$REPLICA"
    rdata="/var/lib/postgresql/$VERSION/$REPLICA"
    echo "listen_addresses = '127.0.0.1'" >>"$rconf/postgresql.conf"
    echo "hot_standby = on" >>"$rconf/postgresql.conf"
    cp "$conf/pg_hba.conf" "$rconf/pg_hba.conf"
    rm -rf "${rdata:?}"/*
    # -R writes standby.signal and primary_conninfo (with the replication password, in the replica's data
    # directory, readable by postgres only); -c fast does not wait for a spread checkpoint
    as_pg env PGPASSWORD="$REPL_PASSWORD" pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U replicator \
        -D "$rdata" -X stream -R -C -S wuye_replica -c fast
    pg_ctlcluster "$VERSION" "$REPLICA" start

    # wait until the standby streams
    i=0
    until [ "$(psql_primary -At -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ]; do
        i=$((i + 1))
        [ "$i" -lt 30 ] || { echo "the replica does not stream; see /var/log/postgresql/" >&2; exit 1; }
        sleep 1
    done
    status
    echo "DATABASE_URL=postgres://$APP_USER:$APP_PASSWORD@127.0.0.1:$PRIMARY_PORT/$DB"
    echo "DATABASE_REPLICA_URL=postgres://$APP_USER:$APP_PASSWORD@127.0.0.1:$REPLICA_PORT/$DB"
    echo "for the router's test: WUYE_TEST_PRIMARY_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/postgres" \
        "WUYE_TEST_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"
}

status() {
    pg_lsclusters | awk -v a="$PRIMARY" -v b="$REPLICA" 'NR == 1 || $2 == a || $2 == b'
    if cluster_exists "$PRIMARY"; then
        psql_primary -c "SELECT application_name, state, sync_state, replay_lsn FROM pg_stat_replication" || true
    fi
    if cluster_exists "$REPLICA"; then
        as_pg psql -X -q -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -At \
            -c "SELECT 'replica in recovery: ' || pg_is_in_recovery()" || true
    fi
}

down() {
    for c in "$REPLICA" "$PRIMARY"; do
        if cluster_exists "$c"; then pg_dropcluster --stop "$VERSION" "$c"; fi
    done
}

case "${1:-}" in
up) up ;;
status) status ;;
down) down ;;
*) echo "usage: $0 up|status|down" >&2; exit 2 ;;
esac
