"""Putting jobs on the queue (arq on Redis).

Job ids make enqueueing idempotent: while a job with the same key is queued or running,
enqueueing it again does nothing. Keys are namespaced by the deployment's Redis prefix.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from arq.connections import ArqRedis, RedisSettings, create_pool

__all__ = ["JobQueue", "connect_queue", "deserialize", "queue_name", "serialize"]

serialize = msgspec.msgpack.encode
deserialize = msgspec.msgpack.decode


def queue_name(prefix: str) -> str:
    return f"{prefix}:jobs"


class JobQueue:
    """The queue of one deployment (its Redis prefix)."""

    def __init__(self, redis: ArqRedis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.name = queue_name(prefix)

    async def enqueue(
        self, job: str, *args: Any, tenant_id: uuid.UUID | None = None, key: str | None = None
    ) -> bool:
        """Queue ``job(*args)`` for ``tenant_id``; ``False`` when the job with ``key`` is
        already queued or running. Raises a Redis error when Redis is unreachable."""
        queued = await self.redis.enqueue_job(
            job,
            str(tenant_id) if tenant_id else None,
            *args,
            _job_id=f"{self.prefix}:{job}:{key}" if key else None,
            _queue_name=self.name,
        )
        return queued is not None

    async def close(self) -> None:
        await self.redis.aclose()


async def connect_queue(redis_url: str, prefix: str, *, retries: int = 0) -> JobQueue:
    settings = RedisSettings.from_dsn(redis_url)
    settings.conn_retries = retries
    redis = await create_pool(
        settings,
        job_serializer=serialize,
        job_deserializer=deserialize,
        default_queue_name=queue_name(prefix),
    )
    return JobQueue(redis, prefix)
