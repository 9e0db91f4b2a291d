"""Domain events: the outbox every change writes to, and their delivery by webhooks.

Other domains use :func:`emit` (most through ``bodega.audit.create_recorded`` and its
siblings, which emit for them).
"""

from bodega.events.outbox import emit
from bodega.events.schemas import EventOut

__all__ = ["EventOut", "emit"]
