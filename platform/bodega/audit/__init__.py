"""The audit log: every change, who made it, before and after."""

from bodega.audit.schemas import AuditEntryOut
from bodega.audit.service import list_entries, record_change

__all__ = ["AuditEntryOut", "list_entries", "record_change"]
