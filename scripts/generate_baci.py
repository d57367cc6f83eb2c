"""Write a CEPII BACI-format bulk archive of a chosen size, for benchmarks (never for analysis).

The archive looks like a real release (BACI_HS17_V202401.zip): one CSV per year with header
`t,i,j,k,v,q` (k without leading zeros, v in thousand USD, q in tonnes or NA), the V202401-layout
country file and the HS17 product file. Country and product codes are the real BACI reference
lists read from SAMPLE_DATA_DIR; flows are synthetic with a realistic shape: heavy-tailed country
sizes and product popularity, so a few exporters, importers and products carry most rows and value,
and lognormal values. Rows are unique on (t, i, j, k). Written exporter by exporter straight into
the zip member: memory holds one exporter's rows at a time, never the table.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import polars as pl

DEFAULT_ROWS = 10_000_000
ROWS_PER_YEAR = 10_000_000  # a real BACI year file holds about 8-12 million flows
MAX_DENSITY = 0.9  # share of an exporter's (importer, product) cells it may fill


def _sample_data_dir() -> Path:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    return Path(os.environ.get("SAMPLE_DATA_DIR", default))


def read_reference(data_dir: Path) -> tuple[list[dict], list[dict]]:
    """The real BACI country (V202301) and HS17 product code lists."""
    ref = data_dir / "baci" / "reference"
    with (ref / "country_codes_V202301.csv").open(encoding="utf-8-sig", newline="") as fh:
        countries = list(csv.DictReader(fh))
    with (ref / "product_codes_HS17_V202301.csv").open(encoding="utf-8", newline="") as fh:
        products = list(csv.DictReader(fh))
    return countries, products


def country_file_v2024(countries: list[dict]) -> bytes:
    """The country list in the layout CEPII uses since V202401."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["country_code", "country_name", "country_iso2", "country_iso3"])
    for c in countries:
        writer.writerow([c["country_code"], c["country_name_full"], c["iso_2digit_alpha"], c["iso_3digit_alpha"]])
    return out.getvalue().encode("utf-8")


def product_file(products: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["code", "description"])
    for p in products:
        writer.writerow([p["code"], p["description"]])
    return out.getvalue().encode("utf-8")


def rows_per_exporter(total: int, size: np.ndarray, capacity: int, rng: np.random.Generator) -> np.ndarray:
    """Split `total` rows over exporters roughly by size, none above its capacity."""
    cap = int(capacity * MAX_DENSITY)
    if total > cap * len(size):
        raise ValueError(f"{total} rows do not fit {len(size)} exporters x {capacity} cells")
    weights = size / size.sum()
    counts = np.minimum(np.floor(weights * total).astype(np.int64), cap)
    while (missing := total - int(counts.sum())) > 0:
        room = cap - counts
        open_ = np.flatnonzero(room > 0)
        share = weights[open_] / weights[open_].sum()
        extra = np.minimum(np.ceil(share * missing).astype(np.int64), room[open_])
        take = np.minimum(np.cumsum(extra), missing)
        counts[open_] += np.diff(np.concatenate(([0], take)))
    return counts


def generate(
    out: Path,
    rows: int,
    *,
    data_dir: Path,
    years: int | None = None,
    last_year: int = 2022,
    exporters: int = 230,
    importers: int = 230,
    products: int = 5000,
    na_share: float = 0.05,
    seed: int = 20240101,
    version: str = "V202401",
    compresslevel: int = 1,
    progress: bool = False,
) -> dict:
    rng = np.random.default_rng(seed)
    countries, product_rows = read_reference(data_dir)
    # Countries with an ISO3 code trade; the few 'nes' areas are rarer in real files too.
    codes = np.array(sorted(int(c["country_code"]) for c in countries if c["iso_3digit_alpha"] != "N/A"))
    n_countries = min(max(exporters, importers), len(codes))
    chosen = np.sort(rng.choice(codes, n_countries, replace=False))
    exp_codes, imp_codes = chosen[:exporters], chosen[:importers]
    k_all = np.array(sorted(int(p["code"]) for p in product_rows))
    k_codes = np.sort(rng.choice(k_all, min(products, len(k_all)), replace=False))

    # Heavy tails: a handful of economies and products dominate, as in real trade.
    size = rng.lognormal(0.0, 1.6, n_countries)  # economic size by country
    popularity = rng.lognormal(0.0, 1.2, len(k_codes))  # how traded each product is
    unit_value = rng.lognormal(1.0, 1.5, len(k_codes))  # thousand USD per tonne
    imp_weight = size[: len(imp_codes)] ** 0.8
    n_years = years or max(1, math.ceil(rows / ROWS_PER_YEAR))
    year_list = list(range(last_year - n_years + 1, last_year + 1))
    per_year = [rows // n_years + (1 if y < rows % n_years else 0) for y in range(n_years)]
    edition = "HS17"
    stats = {"rows": 0, "q_na": 0, "members": [], "value_total": 0.0}
    started = time.time()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for year, year_rows in zip(year_list, per_year, strict=True):
            member = f"BACI_{edition}_Y{year}_{version}.csv"
            stats["members"].append(member)
            capacity = (len(imp_codes) - 1) * len(k_codes)
            counts = rows_per_exporter(year_rows, size[: len(exp_codes)], capacity, rng)
            info = zipfile.ZipInfo(member, date_time=time.localtime(started)[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                fh.write(b"t,i,j,k,v,q\n")
                for e, n in enumerate(counts):
                    if n == 0:
                        continue
                    _write_exporter(fh, rng, year, e, int(n), exp_codes, imp_codes, k_codes,
                                    size, imp_weight, popularity, unit_value, na_share, stats)  # fmt: skip
                    if progress and e % 20 == 0:
                        print(f"  {member}: exporter {e + 1}/{len(counts)}, {stats['rows']:,} rows "
                              f"({time.time() - started:.0f} s)", file=sys.stderr)  # fmt: skip
        zf.writestr(f"country_codes_{version}.csv", country_file_v2024(countries))
        zf.writestr(f"product_codes_{edition}_{version}.csv", product_file(product_rows))
        zf.writestr(
            f"Readme_{edition}_{version}.txt",
            "Synthetic BACI-format archive for benchmarks: real code lists, generated flows.\n"
            "t: year, i: exporter, j: importer, k: product, v: value (thousand USD), q: quantity (tonnes)\n",
        )
    stats["seconds"] = time.time() - started
    stats["bytes"] = out.stat().st_size
    return stats


def _write_exporter(fh, rng, year, e, n, exp_codes, imp_codes, k_codes, size, imp_weight, popularity,
                    unit_value, na_share, stats) -> None:  # fmt: skip
    """Draw n distinct (importer, product) cells for exporter e, weighted, and write them."""
    exporter = exp_codes[e]
    w_imp = imp_weight.copy()
    w_imp[imp_codes == exporter] = 0.0  # no flow from a country to itself
    # Efraimidis-Spirakis: the n smallest -log(u)/w are a weighted sample without replacement.
    weights = np.outer(w_imp, popularity).ravel()
    with np.errstate(divide="ignore"):
        keys = -np.log(rng.random(weights.size)) / weights
    cells = np.sort(np.argpartition(keys, n - 1)[:n]) if n < weights.size else np.arange(weights.size)
    j_idx, k_idx = np.divmod(cells, len(k_codes))
    mu = 0.9 * math.log(size[e]) + 0.6 * np.log(imp_weight[j_idx]) + 0.7 * np.log(popularity[k_idx])
    v = np.round(np.maximum(np.exp(rng.normal(mu, 2.0)), 0.001), 3)
    q = np.round(v / unit_value[k_idx] * rng.lognormal(0.0, 0.5, n), 3)
    na = rng.random(n) < na_share
    frame = pl.DataFrame(
        {
            "t": np.full(n, year, dtype=np.int32),
            "i": np.full(n, exporter, dtype=np.int32),
            "j": imp_codes[j_idx].astype(np.int32),
            "k": k_codes[k_idx].astype(np.int32),
            "v": v,
            "q": pl.Series(q).set(pl.Series(na), None),
        }
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, float_precision=3, null_value="NA")
    fh.write(buffer.getvalue())
    stats["rows"] += n
    stats["q_na"] += int(na.sum())
    stats["value_total"] += float(v.sum())


def add_year(base: Path, out: Path, rows: int, *, data_dir: Path, compresslevel: int = 1) -> dict:
    """`base`'s release with one more year: its members byte for byte, plus a generated year after its last.

    What a user's landing area sees when a year is added to a release they hold: the earlier year
    files and the code lists are unchanged (the same bytes land as nothing new), one year file is new.
    """
    with zipfile.ZipFile(base) as zb:
        years = [int(n.split("_Y", 1)[1][:4]) for n in zb.namelist() if n.startswith("BACI_") and "_Y" in n]
    extra = out.with_name(out.stem + ".year.zip")
    stats = generate(extra, rows, data_dir=data_dir, years=1, last_year=max(years) + 1, seed=20240101 + max(years) + 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(base) as zb, zipfile.ZipFile(extra) as zx, zipfile.ZipFile(out, "w") as zo:
        for source, names in ((zb, zb.namelist()), (zx, [n for n in zx.namelist() if n.startswith("BACI_")])):
            for name in names:
                info = source.getinfo(name)
                target = zipfile.ZipInfo(name, date_time=info.date_time)
                target.compress_type = zipfile.ZIP_DEFLATED
                # streamed: a year file is hundreds of MB
                with source.open(name) as src, zo.open(target, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    extra.unlink()
    stats["bytes"] = out.stat().st_size
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--out", type=Path, required=True, help="archive to write (BACI_HS17_V202401.zip)")
    parser.add_argument("--years", type=int, default=None, help=f"year files (default: rows / {ROWS_PER_YEAR:,})")
    parser.add_argument("--last-year", type=int, default=2022)
    parser.add_argument("--exporters", type=int, default=230)
    parser.add_argument("--importers", type=int, default=230)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--na-share", type=float, default=0.05, help="share of rows with q = NA")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--compresslevel", type=int, default=1, help="deflate level 1-9")
    parser.add_argument("--data-dir", type=Path, default=None, help="real reference lists (SAMPLE_DATA_DIR)")
    args = parser.parse_args(argv)
    stats = generate(
        args.out,
        args.rows,
        data_dir=args.data_dir or _sample_data_dir(),
        years=args.years,
        last_year=args.last_year,
        exporters=args.exporters,
        importers=args.importers,
        products=args.products,
        na_share=args.na_share,
        seed=args.seed,
        compresslevel=args.compresslevel,
        progress=True,
    )
    print(
        f"{args.out}: {stats['rows']:,} rows in {len(stats['members'])} year file(s), "
        f"{stats['bytes'] / 1e6:,.0f} MB zipped, {stats['q_na']:,} q=NA, {stats['seconds']:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
