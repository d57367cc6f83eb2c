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
    # one sentence per figure: what it shows and which mart it comes from
    captions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    waiting_for: list[str] = field(default_factory=list)  # exposure marts this section would use


def add_figure(section: Section, fig: go.Figure, caption: str) -> None:
    section.figures.append(fig)
    section.captions.append(caption)


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
        bound = "hhi_lower_bound" if snap.pick(relation, "hhi_lower_bound") else "null::double"
        frame = snap.df(
            f"""
            select chain, stage, year, source, china_share, hhi, {bound} as hhi_lower_bound
            from {relation} where {importer} = ?
            qualify row_number() over (partition by chain, stage, year order by {source_order}) = 1
            order by chain, stage, year
            """,
            [FOCUS_IMPORTER],
        )
        fig = px.line(
            frame.dropna(subset=["china_share"]), x="year", y="china_share", color="stage", facet_col="chain",
            markers=True, hover_data=["source"], labels={"china_share": "China's share", "year": ""},
            title=f"China's share of {FOCUS_IMPORTER} imports by chain stage",
        )  # fmt: skip
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        add_figure(
            section, _style(fig),
            f"China's share of US import value per chain stage and year, one source per stage and year "
            f"(Comtrade, then legacy Comtrade, then Census), from {relation}.",
        )  # fmt: skip
        # HHI where the source itemises (nearly) every partner; elsewhere its lower bound, drawn as one
        frame["measure"] = frame["hhi"].notna().map({True: "HHI", False: "HHI lower bound"})
        frame["hhi_shown"] = frame["hhi"].fillna(frame["hhi_lower_bound"])
        fig = px.line(
            frame.dropna(subset=["hhi_shown"]), x="year", y="hhi_shown", color="stage", facet_col="chain",
            symbol="measure", symbol_map={"HHI": "circle", "HHI lower bound": "triangle-up-open"},
            markers=True, hover_data=["source", "measure"], labels={"hhi_shown": "HHI", "year": ""},
            title=f"Supplier concentration (HHI) of {FOCUS_IMPORTER} imports by chain stage",
        )  # fmt: skip
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        add_figure(
            section, _style(fig),
            "HHI over supplier countries (0-10,000) per chain stage and year; where the source lists only "
            "some partners the mart gives no HHI but its lower bound, drawn as an open triangle; from "
            f"{relation}.",
        )  # fmt: skip
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
        add_figure(section, _style(fig, height=760), f"{label} per HS code and year, from marts.import_dependency.")
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
        add_figure(
            section, _style(fig, height=460),
            f"The twelve largest partners of US imports of {label} in {year} by value ({source}), China in red; "
            "from marts.trade_flows.",
        )  # fmt: skip
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
        add_figure(
            section, _style(fig, height=560),
            f"China's share of world production and the producers' HHI per mineral and stage, latest edition "
            f"and year, from {relation}.",
        )  # fmt: skip
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
    add_figure(
        section, _style(fig, height=520),
        "Each producer's part of the listed world production (the six largest, the rest grouped), China in "
        "red; from intermediate.int_usgs__world_production (USGS MCS).",
    )  # fmt: skip
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


BOTH_SIDES = "marts.tariff_duties_both_sides"


def tariff_regimes(snap: Snapshot) -> Section:
    section = Section(
        "tariffs",
        "Tariff regimes side by side, both sides of the trade war",
        "What the US charges on goods of China and what China charges on goods of the US, under each named "
        "regime (2024 baseline, the April 2025 peak, the Geneva truce, the Busan deal) and the scenarios.",
    )
    relation = "marts.tariff_exposure"
    if relation not in snap.columns:
        section.waiting_for.append(relation)
        section.notes.append("Drawn once marts.tariff_exposure is published: the foundation marts carry no rates.")
        return section
    if snap.has(BOTH_SIDES, "regime", "regime_date", "us_general_additional_rate", "china_general_additional_rate"):
        general = snap.df(
            f"""
            select regime, min(regime_date) as regime_date,
                   any_value(us_general_additional_rate) as "US on goods of China",
                   any_value(china_general_additional_rate) as "China on goods of the US"
            from {BOTH_SIDES} group by regime order by regime_date, regime
            """
        ).melt(id_vars=["regime", "regime_date"], var_name="side", value_name="rate")
        fig = px.bar(
            general, x="regime", y="rate", color="side", barmode="group", text_auto=".0%",
            color_discrete_map={"US on goods of China": "#1f77b4", "China on goods of the US": "#d62728"},
            labels={"regime": "", "rate": "general additional tariff"},
            title="The additional tariff each side charges on all goods of the other",
        )  # fmt: skip
        fig.update_yaxes(tickformat=".0%")
        add_figure(
            section, _style(fig, height=440),
            "Per regime, the US IEEPA fentanyl + reciprocal rate on goods of China beside China's additional "
            "tariff on all US goods (145% / 125% at the April 2025 peak, 30% / 10% under the truce); "
            f"from {BOTH_SIDES}.",
        )  # fmt: skip
        year = snap.con.execute(
            f"select max(year) from {BOTH_SIDES} where us_imports_from_china_usd is not null"
        ).fetchone()[0]
        weighted = snap.df(
            f"""
            select regime, min(regime_date) as regime_date, chain,
                   sum(us_duty_usd) / nullif(sum(us_imports_from_china_usd), 0) as "US on imports from China",
                   sum(china_duty_usd) / nullif(sum(china_imports_from_us_usd), 0) as "China on imports from the US"
            from {BOTH_SIDES} where year = ? and regime_kind = 'named'
            group by regime, chain order by regime_date, chain
            """,
            [year],
        ).melt(id_vars=["regime", "regime_date", "chain"], var_name="side", value_name="rate")
        weighted = weighted.dropna(subset=["rate"])
        fig = px.bar(
            weighted, x="regime", y="rate", color="side", barmode="group", facet_col="chain",
            color_discrete_map={"US on imports from China": "#1f77b4", "China on imports from the US": "#d62728"},
            labels={"regime": "", "rate": "trade-weighted stacked rate"},
            title=f"Trade-weighted duty by chain, {year} trade values",
        )  # fmt: skip
        fig.update_yaxes(tickformat=".0%")
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        add_figure(
            section, _style(fig, height=460),
            f"Implied duty / trade value per chain on {year} flows: US imports from China (Census) and China's "
            "imports from the US (China's own report, else US exports); a bar is missing where the sample has "
            f"no flow on that side. From {BOTH_SIDES}.",
        )  # fmt: skip
        section.sources.append(BOTH_SIDES)
    # the US rate on each HS line of goods of China under each regime, beside its largest other partners
    conditions = "importer_iso3 = 'USA' and not coalesce(partner_is_aggregate, false) and counted_in_totals"
    others = [
        r[0]
        for r in snap.con.execute(
            f"select partner_iso3 from {relation} where {conditions} and partner_iso3 <> 'CHN' "
            "group by 1 order by sum(import_value_usd) desc nulls last limit 3"
        ).fetchall()
    ]
    partners = ["CHN", *others]
    frame = snap.df(
        f"""
        select regime, regime_date, partner_iso3 as partner, stacked_rate as rate, implied_duty_usd as duty
        from {relation} where {conditions} and partner_iso3 in ({", ".join("?" for _ in partners)})
        order by regime_date, regime
        """,
        partners,
    )
    regimes = list(dict.fromkeys(frame["regime"]))
    colours = {"CHN": "#d62728"}
    fig = px.box(
        frame, x="regime", y="rate", color="partner", category_orders={"regime": regimes, "partner": partners},
        color_discrete_map=colours, labels={"regime": "", "rate": "stacked US ad valorem rate"},
        title="US rates across HS lines under each regime: China and the three largest other partners",
    )  # fmt: skip
    add_figure(
        section, _style(fig, height=480),
        "The spread of the stacked US rate (MFN + Section 301 + IEEPA + Section 232) over the HS10 lines each "
        f"partner ships, per regime, China first; from {relation}.",
    )  # fmt: skip
    totals = frame.groupby(["regime", "partner"], as_index=False, sort=False)["duty"].sum()
    fig = px.bar(
        totals, x="regime", y="duty", color="partner", barmode="group", color_discrete_map=colours,
        category_orders={"regime": regimes, "partner": partners},
        labels={"regime": "", "duty": "implied duty (USD)"}, title="Implied US duty by regime: China and others",
    )  # fmt: skip
    add_figure(
        section, _style(fig, height=440),
        f"The duty the stacked rates imply on 2024 US imports from each partner, per regime; from {relation}.",
    )  # fmt: skip
    section.sources.append(relation)
    return section


SECTIONS = (china_share_and_hhi, top_us_suppliers, production_concentration, tariff_regimes)


def build_sections(snap: Snapshot) -> list[Section]:
    return [make(snap) for make in SECTIONS]
