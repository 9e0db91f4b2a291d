"""Members, their ids on other channels and their consents, under RLS. Consents are a history:
the app role may only add to it (a withdrawal is a new record)."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-28T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "members, external ids, consents"

TABLES = """
CREATE TABLE members (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    phone varchar(16),
    email varchar(254),
    name varchar(200) NOT NULL DEFAULT '',
    birthday date,
    tags text[] NOT NULL DEFAULT '{}',
    home_store_id uuid REFERENCES stores(id),
    joined_channel varchar(16) NOT NULL DEFAULT 'pos',
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'erased')),
    merged_into uuid REFERENCES members(id),
    joined_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    erased_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    CHECK (status <> 'merged' OR merged_into IS NOT NULL)
);
CREATE INDEX members_tenant_id ON members (tenant_id, id);
CREATE UNIQUE INDEX members_tenant_phone ON members (tenant_id, phone)
    WHERE phone IS NOT NULL AND status = 'active';
CREATE UNIQUE INDEX members_tenant_email ON members (tenant_id, email)
    WHERE email IS NOT NULL AND status = 'active';
CREATE INDEX members_tenant_name ON members (tenant_id, lower(name));
CREATE INDEX members_tenant_tags ON members USING gin (tags);

CREATE TABLE member_external_ids (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL REFERENCES members(id),
    channel varchar(32) NOT NULL,
    external_id varchar(128) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX member_external_ids_tenant_channel_external
    ON member_external_ids (tenant_id, channel, external_id);
CREATE INDEX member_external_ids_tenant_member ON member_external_ids (tenant_id, member_id);

CREATE TABLE member_consents (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL REFERENCES members(id),
    purpose varchar(16) NOT NULL CHECK (purpose IN ('marketing', 'biometric')),
    granted boolean NOT NULL,
    text_version varchar(32) NOT NULL,
    channel varchar(16) NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by uuid NOT NULL
);
CREATE INDEX member_consents_tenant_member ON member_consents (tenant_id, member_id, purpose, id);
"""

_TABLES = ("members", "member_external_ids", "member_consents")


def _grants(role: str) -> str:
    return "\n".join(
        [
            *(tenant_table_sql(table, role) for table in _TABLES),
            f"REVOKE UPDATE, DELETE ON member_consents FROM {role};",
        ]
    )


async def forwards():
    return sql_migration(ID, "membership", DESCRIPTION, TABLES, _grants)
