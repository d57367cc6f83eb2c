#!/usr/bin/env bash
# A separate virtualenv with another DuckDB release, to check that the published snapshot opens in the
# older clients BI tools bundle. Prints the venv's python; reuses the venv when it is already there.
#
#   scripts/duckdb_client.sh 1.0.0            -> /root/.cache/chipchain/duckdb-1.0.0/bin/python
#   "$(scripts/duckdb_client.sh 1.0.0)" -c 'import duckdb; print(duckdb.__version__)'
set -euo pipefail

VERSION=${1:?usage: $0 DUCKDB_VERSION}
PYTHON=${PYTHON:-python3.11}
ROOT=${CHIPCHAIN_CLIENTS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chipchain}
VENV="$ROOT/duckdb-$VERSION"

if ! "$VENV/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$VERSION')" 2>/dev/null; then
    rm -rf "$VENV"
    mkdir -p "$ROOT"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "duckdb==$VERSION" >&2
fi
echo "$VENV/bin/python"
