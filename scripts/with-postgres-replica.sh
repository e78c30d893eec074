#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL primary and a streaming replica of it, each on a
# free loopback port (as scripts/with-postgres.sh, plus the replica).
#
# The primary runs with wal_level=replica and a `replication` line in pg_hba.conf; the replica is
# a `pg_basebackup -R -X stream` of it (a hot standby that streams the primary's WAL). Both run as
# an unprivileged user (initdb refuses root) and are removed afterwards, whether the command
# passes or fails. The command sees CAREBRIDGE_TEST_DATABASE_URL (the primary) and
# CAREBRIDGE_TEST_REPLICA_URL (the same database on the replica).
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
run_as=()
if [ "$(id -u)" -eq 0 ]; then
    # Two scripts may start at once (make test runs two halves): whichever adds the user, it exists.
    id pgtest >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin pgtest \
        2>/dev/null || id pgtest >/dev/null
    run_as=(runuser -u pgtest --)
fi
DIR=$(mktemp -d /tmp/carebridge-pgrep.XXXXXX)
chmod 755 "$DIR"
[ "$(id -u)" -eq 0 ] && chown pgtest "$DIR"
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
PORT=$(free_port)
REPLICA_PORT=$(free_port)
while [ "$REPLICA_PORT" = "$PORT" ]; do REPLICA_PORT=$(free_port); done
stop() {
    "${run_as[@]}" "$PGBIN/pg_ctl" -D "$DIR/replica" -m immediate stop >/dev/null 2>&1 || true
    "${run_as[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap stop EXIT
# Settings both servers run with; a hot standby needs max_connections at least the primary's.
COMMON="-c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
"${run_as[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
echo "host replication postgres 127.0.0.1/32 trust" >> "$DIR/data/pg_hba.conf"
"${run_as[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
    -o "$COMMON -p $PORT -c wal_level=replica -c max_wal_senders=4 -c wal_keep_size=256MB" \
    start >/dev/null
"${run_as[@]}" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$DIR/replica" \
    -R -X stream --no-sync >/dev/null
# hot_standby_feedback: a long report on the replica is not cancelled by the primary's vacuum.
"${run_as[@]}" "$PGBIN/pg_ctl" -D "$DIR/replica" -l "$DIR/replica.log" -w \
    -o "$COMMON -p $REPLICA_PORT -c hot_standby=on -c hot_standby_feedback=on" \
    start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres carebridge_test
export CAREBRIDGE_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/carebridge_test"
export CAREBRIDGE_TEST_REPLICA_URL="postgresql+psycopg://postgres@127.0.0.1:$REPLICA_PORT/carebridge_test"
# The database created on the primary reaches the replica by streaming: wait until it is there.
for _ in $(seq 1 100); do
    if "$PGBIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d carebridge_test -Atqc \
        "SELECT pg_is_in_recovery()" 2>/dev/null | grep -q t; then
        break
    fi
    sleep 0.1
done
echo "PostgreSQL primary on 127.0.0.1:$PORT, streaming replica on 127.0.0.1:$REPLICA_PORT"
set +e
"$@"
status=$?
exit $status
