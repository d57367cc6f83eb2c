"""The live operation: partitioned fetches of the live sources into the landing area and raw, their
jobs, schedules, release sensors and freshness checks, and `make run SOURCE=live`.

    partitions.py  years, months, MCS editions, BACI releases
    assets.py      one fetch -> land asset per live raw table (and BACI's archive download)
    freshness.py   deadlines: freshness policies, freshness checks and the sensor that evaluates them
    jobs.py        the live jobs, their run config and partition windows
    schedules.py   the yearly and monthly refreshes
    sensors.py     release sensors (Comtrade, BACI, MCS)
    run.py         `make run SOURCE=live`: the scope's fetch runs before the warehouse job

Nothing here imports `orchestration.definitions`: the code location imports this package.
"""
