"""The embedded servers: real PostgreSQL and Redis in a folder, shared safely between commands."""

from __future__ import annotations

import asyncio

import asyncpg
import redis

from bodega.db.embedded import EmbeddedServers


def test_a_second_user_stopping_leaves_the_servers_of_the_first_running(tmp_path):
    first = EmbeddedServers(tmp_path / "data", delete_on_stop=False)
    database_url = first.start_postgres()
    redis_url = first.start_redis()
    try:
        second = EmbeddedServers(tmp_path / "data")
        assert second.start_redis() == redis_url
        second.stop()
        assert redis.Redis.from_url(redis_url).ping()

        async def select_one() -> int:
            connection = await asyncpg.connect(database_url)
            try:
                return await connection.fetchval("SELECT 1")
            finally:
                await connection.close()

        assert asyncio.run(select_one()) == 1
    finally:
        first.stop()
