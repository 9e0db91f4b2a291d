"""Membership tables: members, their ids on other channels, and their consents."""

from __future__ import annotations

from piccolo.columns import UUID, Array, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["Member", "MemberConsent", "MemberExternalId"]


class Member(Table, tablename="members"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    phone = Varchar(length=16, null=True, default=None)
    email = Varchar(length=254, null=True, default=None)
    name = Varchar(length=200, default="")
    birthday = Date(null=True, default=None)
    tags = Array(base_column=Text())
    home_store_id = UUID(null=True, default=None)
    joined_channel = Varchar(length=16, default="pos")
    status = Varchar(length=16, default="active")
    merged_into = UUID(null=True, default=None)
    joined_at = Timestamptz()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    erased_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class MemberExternalId(Table, tablename="member_external_ids"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    member_id = UUID()
    channel = Varchar(length=32)
    external_id = Varchar(length=128)
    created_at = Timestamptz()


class MemberConsent(Table, tablename="member_consents"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    member_id = UUID()
    purpose = Varchar(length=16)
    granted = Boolean()
    text_version = Varchar(length=32)
    channel = Varchar(length=16)
    recorded_at = Timestamptz()
    recorded_by = UUID()
