#!/usr/bin/env bash
# Debian's headless-capable Chromium for the report's rendering test (installed as root when missing).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [[ $(id -u) != 0 ]]; then
    echo "chromium.sh: chromium is not installed and this is not root: apt-get install chromium" >&2
    exit 1
fi
echo "chromium.sh: installing chromium from Debian's packages" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
