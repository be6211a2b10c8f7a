"""Settings come from the environment and fail fast, naming the variable at fault."""

from __future__ import annotations

from pathlib import Path

import pytest
from memgrid_runtime.settings import Env, SettingsError

from services.memory_store.settings import MemoryStoreSettings


def settings(**environ: str) -> MemoryStoreSettings:
    return MemoryStoreSettings.from_env(Env(environ))


def test_defaults_run_embedded_on_sqlite() -> None:
    defaults = settings()
    assert defaults.backend == "sqlite"
    assert defaults.postgres is None
    assert defaults.sqlite.path == Path("var/memory-store.db")
    assert defaults.sqlite.synchronous == "FULL"
    assert defaults.store.outbox_queues == ("search", "graph", "thought")
    assert defaults.store.jobs.max_attempts == 5
    assert defaults.store.idempotency_retention_seconds == 24 * 3600
    assert (defaults.limits.max_batch, defaults.limits.max_content_bytes) == (1000, 32 * 1024)
    assert defaults.server.service_name == "memory-store"


def test_postgres_and_limits_from_the_environment() -> None:
    configured = settings(
        MEMGRID_STORE_BACKEND="postgres",
        MEMGRID_POSTGRES_DSN="postgresql://memgrid@db/memgrid",
        MEMGRID_POSTGRES_SCHEMA="memgrid",
        MEMGRID_OUTBOX_QUEUES="search, graph",
        MEMGRID_MAX_BATCH="50",
        MEMGRID_MAX_CONTENT_BYTES="1024",
        MEMGRID_JOB_MAX_ATTEMPTS="3",
    )
    assert configured.postgres is not None
    assert (configured.postgres.dsn, configured.postgres.schema) == (
        "postgresql://memgrid@db/memgrid",
        "memgrid",
    )
    assert configured.store.outbox_queues == ("search", "graph")
    assert (configured.limits.max_batch, configured.limits.max_content_bytes) == (50, 1024)
    assert configured.store.jobs.max_attempts == 3
    assert settings(MEMGRID_OUTBOX_QUEUES="").store.outbox_queues == ()


def test_a_queue_subscribes_to_the_events_its_variable_names() -> None:
    store = settings(
        MEMGRID_OUTBOX_QUEUES="search,graph,audit.log",
        MEMGRID_OUTBOX_EVENTS_GRAPH="memory_deleted, memory_upserted",
        MEMGRID_OUTBOX_EVENTS_AUDIT_LOG="messages_appended",
    ).store
    assert store.queues_for("memory_upserted") == ["search", "graph"]
    assert store.queues_for("memory_deleted") == ["search", "graph"]
    assert store.queues_for("messages_appended") == ["audit.log"]
    with pytest.raises(SettingsError, match="MEMGRID_OUTBOX_EVENTS_GRAPH has memory_moved"):
        settings(MEMGRID_OUTBOX_EVENTS_GRAPH="memory_moved")


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"MEMGRID_STORE_BACKEND": "mysql"}, "MEMGRID_STORE_BACKEND"),
        ({"MEMGRID_STORE_BACKEND": "postgres"}, "MEMGRID_POSTGRES_DSN"),
        ({"MEMGRID_MAX_BATCH": "many"}, "MEMGRID_MAX_BATCH"),
        ({"MEMGRID_MAX_BATCH": "0"}, "MEMGRID_MAX_BATCH"),
        ({"MEMGRID_OUTBOX_QUEUES": "search,Graph!"}, "MEMGRID_OUTBOX_QUEUES"),
        ({"MEMGRID_OUTBOX_QUEUES": "search,search"}, "MEMGRID_OUTBOX_QUEUES"),
        ({"MEMGRID_SQLITE_SYNCHRONOUS": "off"}, "MEMGRID_SQLITE_SYNCHRONOUS"),
    ],
)
def test_a_bad_value_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        settings(**environ)
