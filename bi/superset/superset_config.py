"""Superset's configuration for the warehouse's BI (loaded through SUPERSET_CONFIG_PATH by bi/superset.sh).

Superset's own metadata (users, charts, dashboards) lives in SQLite under SUPERSET_HOME; the data it
charts is the PostgreSQL copy of the marts, reached through the read-only role only.
"""

import os
from pathlib import Path

HOME = Path(os.environ.get("SUPERSET_HOME", Path(__file__).resolve().parents[2] / ".superset_home"))
SQLALCHEMY_DATABASE_URI = f"sqlite:///{HOME / 'superset.db'}"
# a key per installation, written on first start (bi/superset.sh), never in the repo
_KEY_FILE = HOME / "secret_key"
SECRET_KEY = _KEY_FILE.read_text().strip() if _KEY_FILE.exists() else os.environ["SUPERSET_SECRET_KEY"]

# Local, read-only BI on 127.0.0.1: the dashboards open without logging in (the Public role gets
# Gamma's rights plus read access to the datasets, see bi/superset.sh); CHIPCHAIN_BI_PUBLIC=0 turns it off.
if os.environ.get("CHIPCHAIN_BI_PUBLIC", "1") == "1":
    AUTH_ROLE_PUBLIC = "Public"
    PUBLIC_ROLE_LIKE = "Gamma"

# No example data, no telemetry, no thumbnails (no Celery worker here)
SUPERSET_LOAD_EXAMPLES = False
FEATURE_FLAGS = {"THUMBNAILS": False, "ALERT_REPORTS": False}
SQLLAB_CTAS_NO_LIMIT = False
# Flask-Caching's simple cache: one process, no Redis
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
DATA_CACHE_CONFIG = CACHE_CONFIG
TALISMAN_ENABLED = False
