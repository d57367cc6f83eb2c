-- CEPII BACI flows, one row per year, exporter, importer and HS6 product of the latest release.
-- BACI publishes value in thousand USD and quantity in tonnes: both become base units here, through
-- decimals so that 1.084 thousand USD is exactly 1,084 USD (CEPII publishes three decimals, i.e. to
-- the dollar and the kilogram; decimal(18, 3) parses 50 times faster than decimal(38, 6)). Year,
-- codes and value arrive typed (parsed as the file was read, raw.baci__trade_flows); quantity
-- arrives as text because BACI right-aligns its NA marker. Product codes lost their leading zero.
-- Every release revises past years: of the year files of one HS edition, only the latest release is
-- read (older releases stay in raw and raw_history, queryable by _file_path).
with files as (
    select
        _file_path,
        regexp_extract(_file_path, 'BACI_HS([0-9]{2})_Y([0-9]{4})_V([0-9]{6})[^/]*$', 1) as hs_edition_code,
        cast(regexp_extract(_file_path, 'BACI_HS([0-9]{2})_Y([0-9]{4})_V([0-9]{6})[^/]*$', 2) as integer)
            as file_year,
        regexp_extract(_file_path, 'BACI_HS([0-9]{2})_Y([0-9]{4})_V([0-9]{6})[^/]*$', 3) as baci_release
    from (select distinct _file_path from {{ source('raw_baci', 'baci__trade_flows') }}) as paths
),

latest_files as (
    select
        _file_path,
        'HS' || hs_edition_code as hs_edition,
        case when hs_edition_code >= '88' then 'HS19' else 'HS20' end || hs_edition_code as hs_vintage,
        file_year,
        baci_release
    from files
    qualify row_number() over (
        partition by hs_edition_code, file_year order by baci_release desc, _file_path desc
    ) = 1
)

select
    f.t as year,
    f.i as exporter_baci_code,
    f.j as importer_baci_code,
    lpad(f.k, 6, '0') as hs6,
    l.hs_edition,
    l.hs_vintage,
    l.baci_release,
    l.file_year,
    f.v as value_thousand_usd,
    cast(nullif(nullif(trim(f.q), 'NA'), '') as decimal(18, 3)) as quantity_tonnes,
    cast(f.v * 1000 as double) as value_usd,
    cast(cast(nullif(nullif(trim(f.q), 'NA'), '') as decimal(18, 3)) * 1000 as double) as net_weight_kg,
    f._file_path as source_file,
    f._load_id as load_id
from {{ source('raw_baci', 'baci__trade_flows') }} as f
inner join latest_files as l on f._file_path = l._file_path
