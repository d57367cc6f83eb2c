"""Partitions of the live assets: years for annual data, months for monthly data, MCS editions, BACI releases.

Dagster 1.13 has no YearlyPartitionsDefinition: a year is a time window on a yearly cron, keyed "%Y".
A trade year's partition exists once the year is over (annual statistics describe a whole year);
an MCS edition's partition exists from January of its year, when USGS publishes it (MCS 2025 holds
the 2024 data). BACI releases are named, not dated (HS17_V202501), so their partitions are added by
the sensor that notices them.
"""

from __future__ import annotations

from dagster import DynamicPartitionsDefinition, MonthlyPartitionsDefinition, TimeWindowPartitionsDefinition

# Comtrade's HS series are dense from the late 1990s; the project's questions start with 2017 (HS2017).
FIRST_TRADE_YEAR = "2017"
FIRST_TRADE_MONTH = "2017-01-01"

yearly_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    start=FIRST_TRADE_YEAR,
    fmt="%Y",
    timezone="UTC",
)

monthly_partitions = MonthlyPartitionsDefinition(start_date=FIRST_TRADE_MONTH, timezone="UTC")

mcs_edition_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    start="2022",
    fmt="%Y",
    timezone="UTC",
    end_offset=1,  # the current year's edition is published in its first weeks
)

baci_release_partitions = DynamicPartitionsDefinition(name="baci_releases")
