#!/usr/bin/env bash
# A local PostgreSQL 15 for the BI copy of the marts, on 127.0.0.1 only.
#
#   scripts/postgres.sh start   install (apt, as root) if missing, init, start, create db + roles
#   scripts/postgres.sh stop    stop the server and forget its connection settings
#   scripts/postgres.sh status
#   scripts/postgres.sh env     print the export lines for the connection URLs
#
# The cluster lives in $CHIPCHAIN_PG_DIR (default /tmp/chipchain-postgres), outside the repo. `start`
# writes $CHIPCHAIN_PG_DIR/env.mk, which the Makefile includes: after `make postgres`, `make run`
# publishes the marts there and `make test` tests against it. The passwords only guard a server
# that listens on loopback for local tools and tests.
set -euo pipefail

PG_DIR=${CHIPCHAIN_PG_DIR:-/tmp/chipchain-postgres}
PG_PORT=${CHIPCHAIN_PG_PORT:-55432}
PG_BIN=${CHIPCHAIN_PG_BIN:-/usr/lib/postgresql/15/bin}
DB=chipchain
WRITER=chipchain_writer
WRITER_PASSWORD=${CHIPCHAIN_PG_WRITER_PASSWORD:-chipchain_writer_local}
READER=chipchain_reader
READER_PASSWORD=${CHIPCHAIN_PG_READER_PASSWORD:-chipchain_reader_local}
DATA="$PG_DIR/data"

# PostgreSQL refuses to run as root: as root, run the server as the `postgres` user the package creates.
if [[ $(id -u) == 0 ]]; then AS_PG=(runuser -u postgres --); else AS_PG=(); fi

say() { echo "postgres.sh: $*" >&2; }

install_server() {
    [[ -x $PG_BIN/postgres ]] && return 0
    if [[ $(id -u) != 0 ]]; then
        say "PostgreSQL 15 is not installed and this is not root: apt-get install postgresql-15, then retry"
        exit 1
    fi
    say "installing postgresql-15 from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
}

psql_admin() {
    "${AS_PG[@]}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres "$@"
}

urls() {
    echo "CHIPCHAIN_PG_URL=postgresql://$WRITER:$WRITER_PASSWORD@127.0.0.1:$PG_PORT/$DB"
    echo "CHIPCHAIN_PG_READER_URL=postgresql://$READER:$READER_PASSWORD@127.0.0.1:$PG_PORT/$DB"
    echo "CHIPCHAIN_PG_READER_ROLE=$READER"
}

running() { [[ -f $DATA/PG_VERSION ]] && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
    install_server
    mkdir -p "$PG_DIR"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$PG_DIR"
    if [[ ! -f $DATA/PG_VERSION ]]; then
        "${AS_PG[@]}" "$PG_BIN/initdb" -D "$DATA" -U postgres -E UTF8 --no-locale \
            --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log"
    fi
    if ! running; then
        "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=on" start >/dev/null
    fi
    psql_admin -d postgres <<SQL
select format('create role %I login password %L', '$WRITER', '$WRITER_PASSWORD')
 where not exists (select from pg_roles where rolname = '$WRITER') \gexec
select format('create role %I login password %L', '$READER', '$READER_PASSWORD')
 where not exists (select from pg_roles where rolname = '$READER') \gexec
select format('create database %I owner %I', '$DB', '$WRITER')
 where not exists (select from pg_database where datname = '$DB') \gexec
-- The reader may connect and read what the publisher grants it, nothing else.
alter role $READER set default_transaction_read_only = on;
revoke all on database $DB from public;
grant connect, temporary on database $DB to $READER;
grant all on database $DB to $WRITER;
SQL
    psql_admin -d "$DB" <<SQL
revoke create on schema public from public;
alter schema public owner to $WRITER;
SQL
    urls | sed 's/^/export /; s/=/ ?= /' >"$PG_DIR/env.mk"
    urls | sed 's/^/export /' >"$PG_DIR/env.sh"
    say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT, database $DB" \
        "(settings in $PG_DIR/env.sh)"
}

stop() {
    if running; then "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
    rm -f "$PG_DIR/env.mk" "$PG_DIR/env.sh"
    say "stopped"
}

case ${1:-start} in
    start) start ;;
    stop) stop ;;
    status) if running; then say "running on 127.0.0.1:$PG_PORT"; else say "not running"; exit 3; fi ;;
    env) urls | sed 's/^/export /' ;;
    *) say "usage: $0 start|stop|status|env"; exit 2 ;;
esac
