"""memory-store's settings, read once from the environment in the entry point.

A bad value fails start-up with a message naming its variable (SettingsError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from memgrid_runtime.settings import Env, ServerSettings, SettingsError

from .field_rules import QUEUE_NAME
from .limits import RequestLimits
from .store.config import CHANGE_EVENTS, DEFAULT_QUEUE_EVENTS, JobPolicy, StoreConfig
from .store.sqlite import Synchronous

SERVICE_NAME = "memory-store"
DEFAULT_PORT = 50052
DEFAULT_METRICS_PORT = 9152


@dataclass(frozen=True)
class SqliteSettings:
    path: Path
    synchronous: Synchronous
    reader_count: int


@dataclass(frozen=True)
class PostgresSettings:
    dsn: str
    schema: str
    min_connections: int
    max_connections: int


@dataclass(frozen=True)
class MaintenanceSettings:
    """The periodic sweep: expired memories and idempotency keys, old finished jobs."""

    interval_seconds: float = 30.0
    # How often the outbox backlog gauges are refreshed.
    queue_metrics_interval_seconds: float = 5.0
    expired_batch: int = 500
    done_job_retention_seconds: float = 7 * 24 * 3600


@dataclass(frozen=True)
class MemoryStoreSettings:
    server: ServerSettings
    backend: str
    sqlite: SqliteSettings
    # Set when backend is "postgres".
    postgres: PostgresSettings | None
    store: StoreConfig
    limits: RequestLimits
    maintenance: MaintenanceSettings

    @classmethod
    def from_env(cls, env: Env | None = None) -> MemoryStoreSettings:
        env = env or Env()
        backend = env.choice("MEMGRID_STORE_BACKEND", "sqlite", ("sqlite", "postgres"))
        server = ServerSettings.from_env(
            SERVICE_NAME,
            default_port=DEFAULT_PORT,
            default_metrics_port=DEFAULT_METRICS_PORT,
            env=env,
        )
        limits = _request_limits(env)
        # What a limit allows must fit in a message, in memory-store's reply and again in
        # the gateway's (which wraps the same memories), with room for the envelope.
        for name, value in (
            ("MEMGRID_MAX_BATCH_BYTES", limits.max_batch_bytes),
            ("MEMGRID_MAX_REPLY_BYTES", limits.max_reply_bytes),
        ):
            if value > server.max_message_bytes // 2:
                raise SettingsError(
                    f"{name}={value} must be at most half of"
                    f" MEMGRID_MAX_MESSAGE_BYTES={server.max_message_bytes}"
                )
        return cls(
            server=server,
            backend=backend,
            sqlite=_sqlite_settings(env),
            postgres=_postgres_settings(env) if backend == "postgres" else None,
            store=_store_config(env),
            limits=limits,
            maintenance=MaintenanceSettings(
                interval_seconds=env.number("MEMGRID_SWEEP_INTERVAL_SECONDS", 30.0, minimum=0.1),
                queue_metrics_interval_seconds=env.number(
                    "MEMGRID_QUEUE_METRICS_INTERVAL_SECONDS", 5.0, minimum=0.1
                ),
                expired_batch=env.integer("MEMGRID_SWEEP_BATCH", 500, minimum=1),
                done_job_retention_seconds=env.number(
                    "MEMGRID_DONE_JOB_RETENTION_SECONDS", 7 * 24 * 3600.0, minimum=0
                ),
            ),
        )


def _sqlite_settings(env: Env) -> SqliteSettings:
    synchronous = env.choice("MEMGRID_SQLITE_SYNCHRONOUS", "full", ("full", "normal")).upper()
    return SqliteSettings(
        path=Path(env.string("MEMGRID_SQLITE_PATH", "var/memory-store.db")),
        synchronous="FULL" if synchronous == "FULL" else "NORMAL",
        reader_count=env.integer("MEMGRID_SQLITE_READERS", 2, minimum=1),
    )


def _postgres_settings(env: Env) -> PostgresSettings:
    dsn = env.optional_string("MEMGRID_POSTGRES_DSN")
    if dsn is None:
        raise SettingsError(
            "MEMGRID_POSTGRES_DSN is required when MEMGRID_STORE_BACKEND=postgres"
            " (e.g. postgresql://user@host:5432/memgrid)"
        )
    min_connections = env.integer("MEMGRID_POSTGRES_MIN_CONNECTIONS", 1, minimum=1)
    max_connections = env.integer("MEMGRID_POSTGRES_MAX_CONNECTIONS", 10, minimum=1)
    if max_connections < min_connections:
        raise SettingsError(
            f"MEMGRID_POSTGRES_MAX_CONNECTIONS={max_connections} is below"
            f" MEMGRID_POSTGRES_MIN_CONNECTIONS={min_connections}"
        )
    return PostgresSettings(
        dsn=dsn,
        schema=env.string("MEMGRID_POSTGRES_SCHEMA", "public"),
        min_connections=min_connections,
        max_connections=max_connections,
    )


def _queue_events(env: Env, queues: list[str]) -> dict[str, frozenset[str]]:
    """MEMGRID_OUTBOX_EVENTS_<QUEUE> (the queue name upper-cased, . and - as _) overrides
    the events a queue subscribes to (store/config.py: DEFAULT_QUEUE_EVENTS)."""
    subscriptions = dict(DEFAULT_QUEUE_EVENTS)
    for queue in queues:
        name = "MEMGRID_OUTBOX_EVENTS_" + re.sub(r"[^A-Z0-9]", "_", queue.upper())
        if env.optional_string(name) is None:
            continue
        events = env.items(name, [])
        unknown = sorted(set(events) - set(CHANGE_EVENTS))
        if unknown:
            raise SettingsError(
                f"{name} has {','.join(unknown)}: the events are {', '.join(CHANGE_EVENTS)}"
            )
        subscriptions[queue] = frozenset(events)
    return subscriptions


def _store_config(env: Env) -> StoreConfig:
    queues = env.items("MEMGRID_OUTBOX_QUEUES", ["search", "graph", "thought"])
    for queue in queues:
        if not QUEUE_NAME.fullmatch(queue):
            raise SettingsError(
                f"MEMGRID_OUTBOX_QUEUES has {queue!r}: queue names are 1-64 characters of"
                " a-z 0-9 . _ -"
            )
    if len(set(queues)) != len(queues):
        raise SettingsError(f"MEMGRID_OUTBOX_QUEUES names a queue twice: {','.join(queues)}")
    return StoreConfig(
        outbox_queues=tuple(queues),
        queue_events=_queue_events(env, queues),
        jobs=JobPolicy(
            max_attempts=env.integer("MEMGRID_JOB_MAX_ATTEMPTS", 5, minimum=1),
            retry_base_seconds=env.number("MEMGRID_JOB_RETRY_BASE_SECONDS", 2.0, minimum=0),
            retry_max_seconds=env.number("MEMGRID_JOB_RETRY_MAX_SECONDS", 600.0, minimum=0),
        ),
        lease_wait_poll_seconds=env.number("MEMGRID_JOB_LEASE_POLL_SECONDS", 1.0, minimum=0.01),
        idempotency_retention_seconds=env.number(
            "MEMGRID_IDEMPOTENCY_RETENTION_SECONDS", 24 * 3600.0, minimum=1
        ),
    )


def _request_limits(env: Env) -> RequestLimits:
    defaults = RequestLimits()
    return RequestLimits(
        max_batch=env.integer("MEMGRID_MAX_BATCH", defaults.max_batch, minimum=1),
        max_content_bytes=env.integer(
            "MEMGRID_MAX_CONTENT_BYTES", defaults.max_content_bytes, minimum=1
        ),
        max_metadata_entries=env.integer(
            "MEMGRID_MAX_METADATA_ENTRIES", defaults.max_metadata_entries, minimum=0
        ),
        max_tags=env.integer("MEMGRID_MAX_TAGS", defaults.max_tags, minimum=0),
        max_batch_bytes=env.integer(
            "MEMGRID_MAX_BATCH_BYTES", defaults.max_batch_bytes, minimum=1024
        ),
        max_reply_bytes=env.integer(
            "MEMGRID_MAX_REPLY_BYTES", defaults.max_reply_bytes, minimum=1024
        ),
    )
