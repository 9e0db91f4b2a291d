"""The audit log: every change, who made it, before and after."""

from bodega.audit.changes import (
    change_recorded,
    create_recorded,
    delete_recorded,
    update_recorded,
)
from bodega.audit.schemas import AuditEntryOut
from bodega.audit.service import list_entries, record_change

__all__ = [
    "AuditEntryOut",
    "change_recorded",
    "create_recorded",
    "delete_recorded",
    "list_entries",
    "record_change",
    "update_recorded",
]
