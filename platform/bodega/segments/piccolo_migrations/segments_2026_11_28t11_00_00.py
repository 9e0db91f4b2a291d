"""Members' RFM scores and lifecycle stages, and each chain's thresholds, under RLS. One
SECURITY DEFINER function lets the nightly refresh find the chains whose local time is the
refresh hour; it returns tenant ids only."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-28T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "member segments and segment settings"

STAGES = "'new', 'active', 'at_risk', 'lapsed', 'won_back'"
SEGMENTS = (
    "'champions', 'loyal', 'potential_loyalists', 'new_customers', 'promising', "
    "'need_attention', 'about_to_sleep', 'at_risk', 'cant_lose_them', 'hibernating', 'lost'"
)

# A row's id is its member's id: one row per member, written in bulk by SQL, and as
# time-ordered as the members. fillfactor leaves room on each page, so the nightly rewrite of
# every row (recency moves by a day) can stay on the page (HOT) when stage and segment hold.
TABLES = f"""
CREATE TABLE member_segments (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    recency_days integer CHECK (recency_days >= 0),
    frequency integer NOT NULL CHECK (frequency >= 0),
    monetary bigint NOT NULL CHECK (monetary >= 0),
    last_order_at timestamptz,
    r_score smallint CHECK (r_score BETWEEN 1 AND 5),
    f_score smallint CHECK (f_score BETWEEN 1 AND 5),
    m_score smallint CHECK (m_score BETWEEN 1 AND 5),
    rfm_code varchar(3) CHECK (rfm_code ~ '^[1-5]{{3}}$'),
    segment varchar(24) CHECK (segment IN ({SEGMENTS})),
    previous_segment varchar(24) CHECK (previous_segment IN ({SEGMENTS})),
    stage varchar(16) NOT NULL CHECK (stage IN ({STAGES})),
    previous_stage varchar(16) CHECK (previous_stage IN ({STAGES})),
    stage_since timestamptz NOT NULL,
    refreshed_at timestamptz NOT NULL,
    CHECK ((r_score IS NULL) = (rfm_code IS NULL) AND (r_score IS NULL) = (segment IS NULL))
) WITH (fillfactor = 70);
CREATE UNIQUE INDEX member_segments_tenant_member ON member_segments (tenant_id, member_id);
CREATE INDEX member_segments_tenant_stage ON member_segments (tenant_id, stage, member_id);
CREATE INDEX member_segments_tenant_segment ON member_segments (tenant_id, segment, member_id);

CREATE TABLE segment_settings (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    new_days integer NOT NULL CHECK (new_days BETWEEN 1 AND 365),
    active_days integer NOT NULL CHECK (active_days BETWEEN 1 AND 365),
    lapsed_days integer NOT NULL CHECK (lapsed_days BETWEEN 2 AND 730),
    won_back_days integer NOT NULL CHECK (won_back_days BETWEEN 1 AND 365),
    won_back_gap_days integer NOT NULL CHECK (won_back_gap_days BETWEEN 1 AND 730),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (active_days < lapsed_days),
    CHECK (won_back_days <= won_back_gap_days)
);
CREATE UNIQUE INDEX segment_settings_tenant ON segment_settings (tenant_id);
"""

REFRESH_LOOKUP = """
CREATE FUNCTION bodega_segment_tenants(p_now timestamptz, p_hour integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT t.id FROM tenants t
     WHERE extract(hour FROM p_now AT TIME ZONE t.timezone) = p_hour
       AND EXISTS (SELECT FROM members m WHERE m.tenant_id = t.id)
$$;
REVOKE ALL ON FUNCTION bodega_segment_tenants(timestamptz, integer) FROM PUBLIC;
"""


def _grants(role: str) -> str:
    return "\n".join(
        [
            tenant_table_sql("member_segments", role),
            tenant_table_sql("segment_settings", role),
            f"GRANT EXECUTE ON FUNCTION bodega_segment_tenants(timestamptz, integer) TO {role};",
        ]
    )


async def forwards():
    return sql_migration(ID, "segments", DESCRIPTION, TABLES, REFRESH_LOOKUP, _grants)
