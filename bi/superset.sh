#!/usr/bin/env bash
# Apache Superset for the warehouse, provisioned from the repo: its own virtualenv (Superset's pins
# conflict with the pipeline's), its metadata in SQLite under SUPERSET_HOME, the marts read from the
# PostgreSQL copy through the read-only role, and the dashboard imported from bi/superset/assets.
#
#   bash bi/superset.sh up      install (first time), initialise, import the dashboard, start
#   bash bi/superset.sh stop
#
# Settings: CHIPCHAIN_PG_READER_URL (from `make postgres`), CHIPCHAIN_PG_SCHEMA (marts),
# CHIPCHAIN_BI_PORT (8088), SUPERSET_HOME (.superset_home), SUPERSET_VENV (.superset-venv),
# CHIPCHAIN_BI_ADMIN_PASSWORD (admin; a local instance on 127.0.0.1).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
VENV="${SUPERSET_VENV:-$ROOT/.superset-venv}"
export SUPERSET_HOME="${SUPERSET_HOME:-$ROOT/.superset_home}"
export SUPERSET_CONFIG_PATH="$HERE/superset/superset_config.py"
export FLASK_APP=superset
PORT="${CHIPCHAIN_BI_PORT:-8088}"
SCHEMA="${CHIPCHAIN_PG_SCHEMA:-marts}"
PYTHON="${PYTHON:-python3.11}"
SUPERSET="$VENV/bin/superset"

install() {
    if [ -x "$SUPERSET" ] && cmp -s "$HERE/superset/requirements.txt" "$VENV/.requirements"; then
        return
    fi
    echo "superset.sh: installing Superset into $VENV"
    test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -r "$HERE/superset/requirements.txt"
    cp "$HERE/superset/requirements.txt" "$VENV/.requirements"
}

init() {
    mkdir -p "$SUPERSET_HOME"
    test -s "$SUPERSET_HOME/secret_key" || "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(48))" > "$SUPERSET_HOME/secret_key"
    "$SUPERSET" db upgrade >"$SUPERSET_HOME/upgrade.log" 2>&1 || { tail -20 "$SUPERSET_HOME/upgrade.log"; exit 1; }
    "$SUPERSET" fab create-admin --username admin --firstname Chipchain --lastname Admin \
        --email admin@localhost --password "${CHIPCHAIN_BI_ADMIN_PASSWORD:-admin}" >>"$SUPERSET_HOME/upgrade.log" 2>&1 || true
    "$SUPERSET" init >>"$SUPERSET_HOME/upgrade.log" 2>&1 || { tail -20 "$SUPERSET_HOME/upgrade.log"; exit 1; }
    if [ "${CHIPCHAIN_BI_PUBLIC:-1}" = 1 ]; then
        "$VENV/bin/python" "$HERE/superset/grant_public.py" >>"$SUPERSET_HOME/upgrade.log" 2>&1
    fi
}

import_dashboard() {
    : "${CHIPCHAIN_PG_READER_URL:?CHIPCHAIN_PG_READER_URL is not set: run make postgres (then make run to serve the marts)}"
    local zip="$SUPERSET_HOME/chipchain_dashboard.zip"
    "$VENV/bin/python" "$HERE/superset/bundle.py" "$zip" "$CHIPCHAIN_PG_READER_URL" "$SCHEMA" >/dev/null
    "$SUPERSET" import-dashboards -p "$zip" -u admin >>"$SUPERSET_HOME/import.log" 2>&1 || { tail -20 "$SUPERSET_HOME/import.log"; exit 1; }
}

start() {
    stop_quietly
    nohup "$SUPERSET" run -h 127.0.0.1 -p "$PORT" --with-threads >"$SUPERSET_HOME/server.log" 2>&1 &
    echo $! >"$SUPERSET_HOME/server.pid"
    for _ in $(seq 1 120); do
        if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
            echo "Superset: http://127.0.0.1:$PORT/superset/dashboard/chipchain/ (admin / ${CHIPCHAIN_BI_ADMIN_PASSWORD:-admin}; metadata $SUPERSET_HOME)"
            return
        fi
        sleep 1
    done
    tail -30 "$SUPERSET_HOME/server.log"
    echo "superset.sh: Superset did not answer on port $PORT" >&2
    exit 1
}

stop_quietly() {
    if [ -f "$SUPERSET_HOME/server.pid" ]; then
        kill "$(cat "$SUPERSET_HOME/server.pid")" 2>/dev/null || true
        rm -f "$SUPERSET_HOME/server.pid"
        sleep 1
    fi
}

case "${1:-up}" in
    up) install; init; import_dashboard; start ;;
    install) install ;;
    init) init ;;
    import) import_dashboard ;;
    start) start ;;
    stop) stop_quietly ;;
    *) echo "usage: $0 up|install|init|import|start|stop" >&2; exit 2 ;;
esac
