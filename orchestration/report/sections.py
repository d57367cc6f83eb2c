"""The report's sections: each reads the marts it needs from the snapshot and draws plotly figures.

No metric is computed here: shares, HHI and rates come from the dbt marts; the report only filters,
picks one source per series and sums values for a ranking. Where an exposure mart (issue 4) is not
published yet, a section falls back to the foundation marts and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.express as px
import plotly.graph_objects as go

from orchestration.report.snapshot import Snapshot

FOCUS_IMPORTER = "USA"
# One series per product and year: the source with the longest consistent history first.
SOURCE_PRIORITY_SQL = "case source when 'comtrade' then 0 when 'comtrade_legacy' then 1 when 'census' then 2 else 3 end"
USGS_COMMODITIES = {
    "raree": "Rare earths",
    "galli": "Gallium",
    "germa": "Germanium",
    "graph": "Graphite",
    "antim": "Antimony",
    "tungs": "Tungsten",
    "silic": "Silicon",
}
TOP_COUNTRIES = 6


@dataclass
class Section:
    key: str
    title: str
    intro: str
    figures: list[go.Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    waiting_for: list[str] = field(default_factory=list)  # exposure marts this section would use


def _style(fig: go.Figure, height: int = 420) -> go.Figure:
    fig.update_layout(
        template="plotly_white", height=height, margin={"l": 60, "r": 20, "t": 60, "b": 50}, legend_title_text=""
    )
    return fig


def china_share_and_hhi(snap: Snapshot) -> Section:
    section = Section(
        "concentration",
        "China's share and supplier concentration (HHI) over time, by chain stage",
        f"Imports of {FOCUS_IMPORTER}: China's share of the import value and the Herfindahl-Hirschman index "
        "over supplier countries (0-10,000 as in the marts; above 2,500 counts as highly concentrated).",
    )
    relation = "marts.supply_chain_exposure"
    importer = snap.pick(relation, "importer_iso3", "reporter_iso3")
    if importer and snap.has(relation, "chain", "stage", "year", "china_share", "hhi"):
        source_order = SOURCE_PRIORITY_SQL if snap.pick(relation, "source") else "0"
        frame = snap.df(
            f"""
            select chain, stage, year, china_share, hhi
            from {relation} where {importer} = ?
            qualify row_number() over (partition by chain, stage, year order by {source_order}) = 1
            order by chain, stage, year
            """,
            [FOCUS_IMPORTER],
        )
        frame["chain stage"] = frame["chain"] + " · " + frame["stage"]
        for metric, label in (("china_share", "China's share"), ("hhi", "HHI")):
            fig = px.line(
                frame, x="year", y=metric, color="stage", facet_col="chain", markers=True,
                labels={metric: label, "year": ""}, title=f"{label} of {FOCUS_IMPORTER} imports by chain stage",
            )  # fmt: skip
            fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
            section.figures.append(_style(fig))
        section.sources.append(relation)
        return section

    if relation in snap.columns:
        section.notes.append(f"{relation} is published but lacks the expected columns; drawn from import_dependency.")
    section.waiting_for.append(relation)
    frame = snap.df(
        f"""
        select i.chain, i.stage, i.hs_code, i.year, i.source, i.china_share, i.hhi, i.hhi_lower_bound,
               i.hs_code || ' ' || coalesce(left(p.description, 48), '') as product
        from marts.import_dependency i left join marts.dim_product p using (hs_code)
        where i.importer_iso3 = ? and i.chain is not null
        qualify row_number() over (partition by i.hs_code, i.year order by {SOURCE_PRIORITY_SQL}) = 1
        order by i.chain, i.stage, i.hs_code, i.year
        """,
        [FOCUS_IMPORTER],
    )
    frame["chain stage"] = frame["chain"] + " · " + frame["stage"]
    for metric, label in (("china_share", "China's share"), ("hhi", "HHI")):
        fig = px.line(
            frame, x="year", y=metric, color="product", facet_col="chain stage", facet_col_wrap=4,
            markers=True, hover_data=["source", "hhi_lower_bound"], labels={metric: label, "year": ""},
            title=f"{label} of {FOCUS_IMPORTER} imports, one line per HS code, by chain stage",
        )  # fmt: skip
        fig.update_layout(showlegend=False)
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        section.figures.append(_style(fig, height=760))
    section.notes.append(
        "Per HS code from marts.import_dependency (one source per code and year: Comtrade, then legacy "
        "Comtrade, then US Census). HHI is blank where partner coverage of the World total is incomplete; "
        "hover shows the lower bound. Stage-level series arrive with marts.supply_chain_exposure."
    )
    section.sources.append("marts.import_dependency")
    return section


def top_us_suppliers(snap: Snapshot) -> Section:
    section = Section(
        "suppliers",
        "Top suppliers of US chip and magnet imports",
        "Import value by partner country in the latest year with data (US Census where available).",
    )
    groups = (
        ("semiconductors", "chip", "Chips (HS 8541/8542)"),
        ("rare_earths", "magnet", "Permanent magnets (HS 850511)"),
    )
    for chain, stage, label in groups:
        frame = snap.df(
            """
            with flows as (
                select * from marts.trade_flows
                where reporter_iso3 = 'USA' and flow = 'import' and chain = ? and stage = ?
                  and not coalesce(partner_is_aggregate, false)
            ),
            latest as (
                select source, year, period_type from flows group by source, year, period_type
                order by year desc, period_type = 'annual' desc,
                         case source when 'census' then 0 when 'comtrade' then 1 else 2 end
                limit 1
            )
            select f.partner_iso3, coalesce(c.country_name, f.partner_iso3) as partner,
                   f.source, f.year, sum(f.value_usd) as value_usd
            from flows f join latest using (source, year, period_type)
            left join marts.dim_country c on c.iso3 = f.partner_iso3
            group by all order by value_usd desc limit 12
            """,
            [chain, stage],
        )
        if frame.empty:
            section.notes.append(f"No US import flows for {label} in marts.trade_flows.")
            continue
        year, source = int(frame["year"].iloc[0]), frame["source"].iloc[0]
        frame["is China"] = frame["partner_iso3"].eq("CHN").map({True: "China", False: "other"})
        fig = px.bar(
            frame.iloc[::-1], x="value_usd", y="partner", orientation="h", color="is China",
            color_discrete_map={"China": "#d62728", "other": "#1f77b4"},
            labels={"value_usd": "import value (USD)", "partner": ""},
            title=f"US imports of {label}, {year} ({source}): top partners",
        )  # fmt: skip
        fig.update_layout(showlegend=False)
        section.figures.append(_style(fig, height=460))
    section.sources.append("marts.trade_flows")
    return section


def production_concentration(snap: Snapshot) -> Section:
    section = Section(
        "production",
        "World production concentration",
        "Who mines and refines the critical minerals: country shares of world production (USGS Mineral "
        "Commodity Summaries), latest year.",
    )
    relation = "marts.production_concentration"
    commodity = snap.pick(relation, "commodity", "commodity_name", "commodity_code", "material")
    if commodity and snap.has(relation, "stage", "year", "china_share", "hhi"):
        # One row per commodity and stage: the latest edition and year, USGS before other sources.
        conditions = ["china_share is not null or hhi is not null"]
        if snap.pick(relation, "is_latest_edition"):
            conditions.append("is_latest_edition")
        tracked = ", ".join(f"'{code}'" for code in USGS_COMMODITIES)
        if snap.con.execute(f"select count(*) from {relation} where {commodity} in ({tracked})").fetchone()[0]:
            conditions.append(f"{commodity} in ({tracked})")  # the minerals the chains depend on
        elif snap.pick(relation, "chain"):
            conditions.append("chain is not null")
        source_first = "case when source like 'usgs%' then 0 else 1 end," if snap.pick(relation, "source") else ""
        frame = snap.df(
            f"""
            select {commodity}::varchar as commodity, stage, year, china_share, hhi
            from {relation} where {" and ".join(f"({c})" for c in conditions)}
            qualify row_number() over (
                partition by {commodity}, stage order by {source_first} year desc, hhi desc nulls last) = 1
            order by commodity, stage
            """
        )
        names = frame["commodity"].map(USGS_COMMODITIES).fillna(frame["commodity"])
        frame["commodity stage"] = names + " · " + frame["stage"] + " " + frame["year"].astype(str)
        long = frame.melt(
            id_vars=["commodity stage", "year"], value_vars=["china_share", "hhi"], var_name="measure"
        ).replace({"measure": {"china_share": "China's share", "hhi": "HHI"}})
        fig = px.bar(
            long, x="commodity stage", y="value", color="measure", facet_row="measure", hover_data=["year"],
            labels={"commodity stage": "", "value": ""}, title="China's share and HHI of world production",
        )  # fmt: skip
        fig.update_yaxes(matches=None)  # a share (0-1) and an index (0-10,000) each on its own axis
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        section.figures.append(_style(fig, height=560))
        section.sources.append(relation)
    else:
        if relation in snap.columns:
            section.notes.append(f"{relation} is published but lacks the expected columns.")
        section.waiting_for.append(relation)

    if not snap.has("intermediate.int_usgs__world_production", "commodity_code", "iso3", "value", "value_flag"):
        section.notes.append("intermediate.int_usgs__world_production is not in the snapshot.")
        return section
    codes = list(USGS_COMMODITIES)
    frame = snap.df(
        f"""
        with latest as (
            select * from intermediate.int_usgs__world_production
            where measure = 'production' and commodity_code in ({", ".join("?" for _ in codes)})
              and not is_world_total and value is not null
            qualify mcs_edition = max(mcs_edition) over (partition by commodity_code, stage)
                and year = max(year) over (partition by commodity_code, stage, mcs_edition)
        ),
        ranked as (
            select *, row_number() over (partition by commodity_code, stage order by value desc) as rank
            from latest where not is_other_countries
        )
        select commodity_code, stage, year, mcs_edition, unit,
               case when rank <= {TOP_COUNTRIES} then coalesce(iso3, country_as_published) else 'Rest of world' end
                   as country,
               sum(value) as value, string_agg(distinct value_flag, ', ') as flags
        from ranked group by all
        union all
        select commodity_code, stage, year, mcs_edition, unit, 'Other countries (USGS)', sum(value), 'reported'
        from latest where is_other_countries group by all
        order by commodity_code, stage, value desc
        """,
        codes,
    )
    if frame.empty:
        section.notes.append("No USGS production rows for the tracked minerals.")
        return section
    frame["mineral"] = (
        frame["commodity_code"].map(USGS_COMMODITIES) + " · " + frame["stage"] + " " + frame["year"].astype(str)
    )
    fig = px.bar(
        frame, x="value", y="mineral", color="country", orientation="h", hover_data=["unit", "flags", "mcs_edition"],
        color_discrete_map={"CHN": "#d62728", "Rest of world": "#c7c7c7", "Other countries (USGS)": "#9e9e9e"},
        labels={"value": "share of listed world production (%)", "mineral": ""},
        title="Country shares of world production (USGS, latest edition and year)",
    )  # fmt: skip
    fig.update_layout(barnorm="percent", barmode="stack")
    section.figures.append(_style(fig, height=520))
    withheld = snap.df(
        f"""
        select count(*) as n from intermediate.int_usgs__world_production
        where measure = 'production' and value_flag = 'withheld'
          and commodity_code in ({", ".join("?" for _ in codes)})
        """,
        codes,
    )["n"].iloc[0]
    section.notes.append(
        f"Bars are normalised to the countries USGS lists (top {TOP_COUNTRIES} by name, the rest summed); "
        f"withheld figures ({withheld} rows for these minerals) are not counted as zero, they are absent."
    )
    section.sources.append("intermediate.int_usgs__world_production")
    return section


def tariff_regimes(snap: Snapshot) -> Section:
    section = Section(
        "tariffs",
        "Tariff regimes side by side",
        "The stacked US ad valorem rate (MFN + Section 301 + IEEPA + Section 232) and the duty it implies on "
        "US imports, under each named regime.",
    )
    relation = "marts.tariff_exposure"
    if relation not in snap.columns:
        section.waiting_for.append(relation)
        section.notes.append(
            "Drawn once marts.tariff_exposure is published (issue 4): the foundation marts carry no tariff rates."
        )
        return section
    regime = snap.pick(relation, "regime", "regime_name", "scenario", "tariff_regime")
    rate = snap.pick(
        relation, "stacked_ad_valorem_rate", "stacked_rate", "total_rate", "total_ad_valorem_rate",
        "ad_valorem_rate", "effective_rate", "rate",
    )  # fmt: skip
    duty = snap.pick(relation, "implied_duty_usd", "duty_usd", "estimated_duty_usd", "duty")
    partner = snap.pick(relation, "partner_iso3", "exporter_iso3", "country_iso3")
    if not (regime and rate and partner):
        section.notes.append(
            f"{relation} is published but its columns were not recognised "
            f"({', '.join(snap.columns[relation])}): expected a regime, a stacked rate and a partner column."
        )
        return section
    value = snap.pick(relation, "import_value_usd", "value_usd", "customs_value_usd")
    # Rows that would count a flow twice (aggregate partners, rows the mart marks as outside its totals).
    conditions = ["true"]
    if snap.pick(relation, "partner_is_aggregate"):
        conditions.append("not coalesce(partner_is_aggregate, false)")
    if snap.pick(relation, "counted_in_totals"):
        conditions.append("coalesce(counted_in_totals, true)")
    if importer := snap.pick(relation, "importer_iso3", "reporter_iso3"):
        conditions.append(f"{importer} = '{FOCUS_IMPORTER}'")
    where = " and ".join(conditions)
    order_col = snap.pick(relation, "regime_date", "as_of_date", "effective_date", "on_date")
    order = f"min({order_col})" if order_col else "min(" + regime + ")"
    regimes = [
        r[0] for r in snap.con.execute(f"select {regime} from {relation} group by 1 order by {order}").fetchall()
    ]
    weight = f"sum({value})" if value else "count(*)"
    partners = [
        r[0]
        for r in snap.con.execute(
            f"select {partner} from {relation} where {where} group by 1 order by {weight} desc nulls last limit 5"
        ).fetchall()
    ]
    frame = snap.df(
        f"select {regime}::varchar as regime, {partner} as partner, {rate} as rate"
        f"{', ' + duty + ' as duty' if duty else ''} from {relation} "
        f"where {partner} in ({', '.join('?' for _ in partners)}) and {where}",
        partners,
    )
    fig = px.box(
        frame, x="regime", y="rate", color="partner", category_orders={"regime": regimes},
        labels={"regime": "", "rate": "stacked ad valorem rate"},
        title="Rates across HS lines under each regime (top partners by import value)",
    )  # fmt: skip
    section.figures.append(_style(fig, height=480))
    if duty:
        totals = frame.groupby(["regime", "partner"], as_index=False)["duty"].sum()
        fig = px.bar(
            totals, x="regime", y="duty", color="partner", barmode="group", category_orders={"regime": regimes},
            labels={"regime": "", "duty": "implied duty (USD)"}, title="Implied duty by regime and partner",
        )  # fmt: skip
        section.figures.append(_style(fig, height=440))
    section.sources.append(relation)
    return section


SECTIONS = (china_share_and_hhi, top_us_suppliers, production_concentration, tariff_regimes)


def build_sections(snap: Snapshot) -> list[Section]:
    return [make(snap) for make in SECTIONS]
