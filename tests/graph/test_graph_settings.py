"""GraphSettings from the environment: defaults, choices, and errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from memgrid_runtime.settings import Env, SettingsError

from services.graph.settings import DEFAULT_PORT, GraphSettings


def test_defaults_are_the_embedded_falkordb_with_the_outbox_consumer() -> None:
    settings = GraphSettings.from_env(Env({}))
    assert settings.backend == "falkordb"
    assert settings.falkordb.data_dir == Path("var/falkordb")
    assert settings.server.port == DEFAULT_PORT
    assert settings.outbox is not None and settings.outbox.queue == "graph"
    assert settings.outbox.memory_store_target == "127.0.0.1:50052"


def test_neo4j_is_chosen_by_configuration() -> None:
    settings = GraphSettings.from_env(
        Env(
            {
                "MEMGRID_GRAPH_BACKEND": "neo4j",
                "MEMGRID_NEO4J_URI": "bolt://graph-db:7687",
                "MEMGRID_NEO4J_USER": "memgrid",
                "MEMGRID_NEO4J_PASSWORD": "secret",
                "MEMGRID_GRAPH_OUTBOX_ENABLED": "false",
            }
        )
    )
    assert settings.backend == "neo4j"
    assert (settings.neo4j.uri, settings.neo4j.user, settings.neo4j.password) == (
        "bolt://graph-db:7687",
        "memgrid",
        "secret",
    )
    assert settings.outbox is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MEMGRID_GRAPH_BACKEND", "sqlite"),
        ("MEMGRID_FALKORDB_THREADS", "0"),
        ("MEMGRID_GRAPH_OUTBOX_BATCH", "many"),
        ("MEMGRID_GRAPH_OUTBOX_ENABLED", "maybe"),
    ],
)
def test_bad_values_fail_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        GraphSettings.from_env(Env({variable: value}))
