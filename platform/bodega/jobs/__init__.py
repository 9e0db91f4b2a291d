"""Background jobs: the registry domains declare jobs in, the queue, the worker."""

from bodega.jobs.queue import JobQueue
from bodega.jobs.registry import JobContext, JobRegistry

__all__ = ["JobContext", "JobQueue", "JobRegistry"]
