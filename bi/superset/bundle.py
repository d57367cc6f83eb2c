"""Zip bi/superset/assets (Superset's own dashboard export format) for `superset import-dashboards`,
filling in what differs per installation: the read-only role's URL and the schema of the marts.

    python bi/superset/bundle.py OUT.zip READER_URL SCHEMA
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
ROOT = "chipchain_dashboard"  # the folder Superset expects inside the zip


def bundle(out: Path, reader_url: str, schema: str) -> Path:
    uri = reader_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(ASSETS.rglob("*.yaml")):
            text = path.read_text().replace("__READER_URI__", uri).replace("__MARTS_SCHEMA__", schema)
            zf.writestr(f"{ROOT}/{path.relative_to(ASSETS).as_posix()}", text)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(bundle(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
