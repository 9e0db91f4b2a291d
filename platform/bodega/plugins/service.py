"""Plugins as a chain manages them: which are installed, enabling one with its settings,
disabling it; and the records of a plugin tripped off by failures and recovered.

Enabling, changing, disabling, tripping and recovering are audited and emitted as events
(``plugin.enabled`` ...), with settings masked: secrets never reach the log or the events.
"""

from __future__ import annotations

import typing
import uuid
from typing import TYPE_CHECKING, Any

import msgspec

from bodega.api.auth import Actor, system_actor
from bodega.api.errors import FieldError, Forbidden, InvalidInput, NotFound, VersionConflict
from bodega.api.pagination import Page
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.plugins.info import MASK, mask, secret_fields
from bodega.plugins.schemas import PluginEnable, PluginOut

if TYPE_CHECKING:
    from datetime import datetime

    from bodega.plugins.manager import PluginHost

__all__ = [
    "disable_plugin",
    "enable_plugin",
    "get_plugin",
    "list_plugins",
    "record_failure",
    "record_success",
]

RESOURCE = "plugin"
_COLUMNS = (
    "id, name, enabled, settings::text AS settings, enabled_at, tripped_until, tripped_reason,"
    " version"
)


async def list_plugins(actor: Actor, host: PluginHost) -> Page[PluginOut]:
    """Every installed plugin, and any the chain enabled that is no longer installed."""
    rows = {
        row["name"]: row
        for row in await db.fetch(
            f"SELECT {_COLUMNS} FROM tenant_plugins WHERE tenant_id = $1",
            actor.tenant_id,
        )
    }
    names = sorted(set(host.plugins) | {n for n, r in rows.items() if r["enabled"]})
    return Page(data=[_out(host, name, rows.get(name)) for name in names])


async def get_plugin(actor: Actor, host: PluginHost, name: str) -> PluginOut:
    row = await _row(actor.tenant_id, name)
    if name not in host.plugins and (row is None or not row["enabled"]):
        raise NotFound(RESOURCE, name)
    return _out(host, name, row)


async def enable_plugin(actor: Actor, host: PluginHost, name: str, data: PluginEnable) -> PluginOut:
    """Enable ``name`` for the chain with ``data.settings`` (or change them)."""
    plugin = host.plugins.get(name)
    if plugin is None:
        raise NotFound(RESOURCE, name)
    lacking = sorted(set(plugin.info.scopes) - actor.scopes)
    if lacking:
        raise Forbidden(
            f"Enabling {name} lets it act with the scopes {sorted(plugin.info.scopes)}; "
            f"your credentials lack {lacking}."
        )
    row = await _row(actor.tenant_id, name, lock=True)
    current = row["version"] if row else 0
    if data.version is not None and data.version != current:
        raise VersionConflict(RESOURCE, current)
    stored = msgspec.json.decode(row["settings"]) if row else {}
    struct = plugin.info.settings
    values = (
        stored if data.settings is msgspec.UNSET else _keep_secrets(struct, data.settings, stored)
    )
    settings = msgspec.to_builtins(check_settings(struct, values))
    encoded = msgspec.json.encode(settings).decode()
    before = _out(host, name, row) if row else None
    if row is None:
        row = await db.fetchrow(
            "INSERT INTO tenant_plugins (id, tenant_id, name, enabled, settings, enabled_at)"
            f" VALUES ($1, $2, $3, true, $4::jsonb, now()) RETURNING {_COLUMNS}",
            new_id(),
            actor.tenant_id,
            name,
            encoded,
        )
    else:
        row = await db.fetchrow(
            "UPDATE tenant_plugins SET settings = $3::jsonb, version = version + 1,"
            " updated_at = now(), enabled = true,"
            " enabled_at = CASE WHEN enabled THEN enabled_at ELSE now() END,"
            " tripped_until = NULL, tripped_reason = NULL, failure_count = 0"
            f" WHERE tenant_id = $1 AND name = $2 RETURNING {_COLUMNS}",
            actor.tenant_id,
            name,
            encoded,
        )
    assert row is not None
    out = _out(host, name, row)
    what = "updated" if before is not None and before.enabled else "enabled"
    await change_recorded(actor, RESOURCE, what, row["id"], out, before=before, after=out)
    return out


async def disable_plugin(actor: Actor, host: PluginHost, name: str) -> None:
    """Disable ``name`` for the chain; its settings are kept for enabling it again."""
    row = await _row(actor.tenant_id, name, lock=True)
    if row is None or not row["enabled"]:
        raise NotFound(f"enabled {RESOURCE}", name)
    before = _out(host, name, row)
    row = await db.fetchrow(
        "UPDATE tenant_plugins SET enabled = false, version = version + 1, updated_at = now(),"
        " tripped_until = NULL, tripped_reason = NULL, failure_count = 0"
        f" WHERE tenant_id = $1 AND name = $2 RETURNING {_COLUMNS}",
        actor.tenant_id,
        name,
    )
    assert row is not None
    out = _out(host, name, row)
    await change_recorded(actor, RESOURCE, "disabled", row["id"], out, before=before, after=out)


async def record_failure(
    host: PluginHost,
    tenant_id: uuid.UUID,
    name: str,
    until: datetime,
    reason: str,
    *,
    at_once: bool,
) -> bool:
    """Count a failure of ``name`` for the chain; at the threshold (or ``at_once``: the
    first call after a cool-down failed) trip it off until ``until``. ``True`` when this
    tripped it (once, whichever process counts the last failure)."""
    count = await db.fetchval(
        "UPDATE tenant_plugins SET failure_count = failure_count + 1"
        " WHERE tenant_id = $1 AND name = $2 AND enabled RETURNING failure_count",
        tenant_id,
        name,
    )
    if count is None or (count < host.settings.plugin_failure_threshold and not at_once):
        return False
    row = await db.fetchrow(
        "UPDATE tenant_plugins SET tripped_until = $3, tripped_reason = $4, failure_count = 0"
        f" WHERE tenant_id = $1 AND name = $2 RETURNING {_COLUMNS}",
        tenant_id,
        name,
        until,
        reason,
    )
    out = _out(host, name, row)
    await change_recorded(_system(tenant_id), RESOURCE, "tripped", row["id"], out, after=out)
    return True


async def record_success(host: PluginHost, tenant_id: uuid.UUID, name: str) -> None:
    """The plugin worked: its failures in a row are over, and after a cool-down it has
    recovered (``plugin.recovered``)."""
    was_tripped = await db.fetchval(
        "SELECT tripped_until IS NOT NULL FROM tenant_plugins WHERE tenant_id = $1 AND name = $2"
        " FOR UPDATE",
        tenant_id,
        name,
    )
    row = await db.fetchrow(
        "UPDATE tenant_plugins SET failure_count = 0, tripped_until = NULL, tripped_reason = NULL"
        " WHERE tenant_id = $1 AND name = $2 AND (tripped_until IS NULL OR tripped_until <= $3)"
        f" RETURNING {_COLUMNS}",
        tenant_id,
        name,
        host.clock(),
    )
    if row is not None and was_tripped:
        out = _out(host, name, row)
        await change_recorded(_system(tenant_id), RESOURCE, "recovered", row["id"], out, after=out)


def check_settings(struct: type[msgspec.Struct], values: dict[str, Any]) -> msgspec.Struct:
    """``values`` as the plugin's settings Struct; 422 naming every field that does not fit
    (``settings.<field>``), not only the first."""
    fields = {f.encode_name: f for f in msgspec.structs.fields(struct)}
    hints = typing.get_type_hints(struct, include_extras=True)
    errors = [
        FieldError(f"settings.{key}", "unknown setting") for key in values if key not in fields
    ]
    for key, field in fields.items():
        if key not in values:
            if field.required:
                errors.append(FieldError(f"settings.{key}", "required"))
            continue
        try:
            msgspec.convert(values[key], hints[field.name])
        except msgspec.ValidationError as exc:
            errors.append(FieldError(f"settings.{key}", str(exc)))
    if not errors:
        try:
            return msgspec.convert(values, struct)
        except msgspec.ValidationError as exc:  # a check across fields (__post_init__)
            errors.append(FieldError("settings", str(exc)))
    raise InvalidInput(
        "The settings do not fit the plugin: "
        + "; ".join(f"{e['field']}: {e['message']}" for e in errors),
        errors=errors,
    )


def _keep_secrets(
    struct: type[msgspec.Struct], sent: dict[str, Any], stored: dict[str, Any]
) -> dict[str, Any]:
    """Secrets left out, or sent back as shown (masked), keep their stored value."""
    values = dict(sent)
    for key in secret_fields(struct):
        unchanged = key not in values or (
            isinstance(values[key], str) and values[key].startswith(MASK)
        )
        if unchanged and key in stored:
            values[key] = stored[key]
    return values


def _system(tenant_id: uuid.UUID) -> Actor:
    """Who trips and recovers plugins: the platform itself, for the chain."""
    return system_actor(tenant_id, frozenset())


async def _row(tenant_id: uuid.UUID, name: str, *, lock: bool = False) -> Any:
    return await db.fetchrow(
        f"SELECT {_COLUMNS} FROM tenant_plugins WHERE tenant_id = $1 AND name = $2"
        + (" FOR UPDATE" if lock else ""),
        tenant_id,
        name,
    )


def _out(host: PluginHost, name: str, row: Any) -> PluginOut:
    plugin = host.plugins.get(name)
    settings = msgspec.json.decode(row["settings"]) if row else None
    if plugin is not None and settings is not None:
        settings = mask(plugin.info.settings, settings)
    elif plugin is None:
        settings = None  # without the plugin, which fields are secret is unknown
    return PluginOut(
        name=name,
        description=plugin.description if plugin else "",
        plugin_version=plugin.version if plugin else None,
        installed=plugin is not None,
        enabled=bool(row and row["enabled"]),
        settings=settings,
        settings_schema=msgspec.json.schema(plugin.info.settings) if plugin else None,
        scopes=sorted(plugin.info.scopes) if plugin else [],
        routes_path=f"/v1/plugins/{name}/" if plugin and name in host.routed else None,
        enabled_at=row["enabled_at"] if row else None,
        tripped_until=row["tripped_until"] if row else None,
        tripped_reason=row["tripped_reason"] if row else None,
        version=row["version"] if row else 0,
    )
