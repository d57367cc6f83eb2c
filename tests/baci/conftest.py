"""BACI archives in the real format, built at test time from the real BACI code lists in the sample.

No real BACI trade flows exist offline: the flows below are written here, on real BACI country codes
(156 China, 842 USA, 490 Taiwan, 392 Japan, 410 Korea, 697 'Europe EFTA, nes') and real HS17 product
codes (854231 processors, 280530 rare-earth metals, 811292 gallium/germanium, and 010121, which BACI
writes without its leading zero as 10121), all checked against the reference files when read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

COUNTRIES = {"156": "CHN", "842": "USA", "490": "TWN", "392": "JPN", "410": "KOR", "697": None}
PRODUCTS = ("854231", "280530", "811292", "10121")


@dataclass(frozen=True)
class BaciReference:
    country_file_v2023: bytes  # country_codes_V202301.csv as published
    country_rows: list[dict]
    product_file: bytes  # product_codes_HS17_V202301.csv as published

    def country_file_v2024(self) -> bytes:
        """The same codes in the layout CEPII uses since V202401 (no full name)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["country_code", "country_name", "country_iso2", "country_iso3"])
        for row in self.country_rows:
            writer.writerow(
                [row["country_code"], row["country_name_abbreviation"], row["iso_2digit_alpha"],
                 row["iso_3digit_alpha"]]
            )  # fmt: skip
        return out.getvalue().encode()


@pytest.fixture(scope="session")
def baci_reference(sample_data_dir: Path) -> BaciReference:
    ref = sample_data_dir / "baci" / "reference"
    country_bytes = (ref / "country_codes_V202301.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(country_bytes.decode("utf-8-sig"))))
    by_code = {r["country_code"]: r for r in rows}
    for code, iso3 in COUNTRIES.items():
        assert code in by_code, f"BACI country code {code} not in the reference file"
        assert (by_code[code]["iso_3digit_alpha"] if iso3 else "N/A") == (iso3 or "N/A")
    product_bytes = (ref / "product_codes_HS17_V202301.csv").read_bytes()
    codes = {r["code"] for r in csv.DictReader(io.StringIO(product_bytes.decode()))}
    assert set(PRODUCTS) <= codes, "HS17 codes used by the tests are not in the BACI product list"
    return BaciReference(country_bytes, rows, product_bytes)


def flows_csv(rows: list[tuple]) -> bytes:
    """A BACI year file: header t,i,j,k,v,q and rows written as CEPII writes them (no quoting)."""
    return ("t,i,j,k,v,q\n" + "".join(",".join(str(x) for x in r) + "\n" for r in rows)).encode()


def write_archive(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# Flows of the V202401 release. 1234.567 thousand USD = 1,234,567 USD; q in tonnes; NA and blank q.
FLOWS_2022 = [
    (2022, 156, 842, 854231, "1234.567", "12.5"),
    (2022, 490, 842, 854231, "2000.000", "3.25"),
    (2022, 392, 842, 854231, "765.433", "NA"),
    (2022, 490, 156, 854231, "0.001", "NA"),
    (2022, 842, 156, 10121, "55.5", ""),
    (2022, 156, 392, 280530, "7", "         NA"),
    (2022, 697, 842, 811292, "10.000", "0.5"),
]
FLOWS_2021 = [
    (2021, 156, 842, 854231, "900.000", "10"),
    (2021, 410, 842, 854231, "100.000", "1"),
]
# The same year in the earlier release, revised by V202401: must not reach staging.
FLOWS_2021_V2023 = [
    (2021, 156, 842, 854231, "850.000", "9"),
    (2021, 410, 842, 854231, "90.000", "1"),
    (2021, 392, 842, 854231, "40.000", "1"),
]


def release_2024(ref: BaciReference, flows_2022: list[tuple] = FLOWS_2022) -> dict[str, bytes]:
    return {
        "BACI_HS17_Y2021_V202401.csv": flows_csv(FLOWS_2021),
        "BACI_HS17_Y2022_V202401.csv": flows_csv(flows_2022),
        "country_codes_V202401.csv": ref.country_file_v2024(),
        "product_codes_HS17_V202401.csv": ref.product_file,
        "Readme.txt": b"BACI HS17 V202401 (test archive)\n",
    }


def release_2023(ref: BaciReference) -> dict[str, bytes]:
    return {
        "BACI_HS17_Y2021_V202301.csv": flows_csv(FLOWS_2021_V2023),
        "country_codes_V202301.csv": ref.country_file_v2023,
        "product_codes_HS17_V202301.csv": ref.product_file,
    }
