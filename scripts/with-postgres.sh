#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server on a free loopback port.
# The server runs as an unprivileged user (initdb refuses root) and is removed afterwards,
# whether the command passes or fails. The command sees CAREBRIDGE_TEST_DATABASE_URL.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
run_as=()
if [ "$(id -u)" -eq 0 ]; then
    # Two scripts may start at once (make test runs two halves): whichever adds the user, it exists.
    id pgtest >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin pgtest \
        2>/dev/null || id pgtest >/dev/null
    run_as=(runuser -u pgtest --)
fi
DIR=$(mktemp -d /tmp/carebridge-pg.XXXXXX)
chmod 755 "$DIR"
[ "$(id -u)" -eq 0 ] && chown pgtest "$DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
stop() {
    "${run_as[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap stop EXIT
"${run_as[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
"${run_as[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres carebridge_test
export CAREBRIDGE_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/carebridge_test"
echo "PostgreSQL test server on 127.0.0.1:$PORT"
set +e
"$@"
status=$?
exit $status
