"""A member has at most one id per channel (one WeChat openid, one Meituan id): the external
ids are removed by channel."""

from bodega.db.migrate import sql_migration

ID = "2026-11-28T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one external id per member and channel"

SQL = """
CREATE UNIQUE INDEX member_external_ids_tenant_member_channel
    ON member_external_ids (tenant_id, member_id, channel);
"""


async def forwards():
    return sql_migration(ID, "membership", DESCRIPTION, SQL)
