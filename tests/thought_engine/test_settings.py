"""The engine's settings from the environment: defaults, overrides, and errors that name the
variable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from memgrid_runtime.settings import SettingsError

from services.thought_engine.settings import ThoughtEngineSettings


def test_defaults_run_workers_deterministically_against_the_local_suite() -> None:
    settings = ThoughtEngineSettings.from_env({})

    assert (settings.server.port, settings.server.metrics_port) == (50055, 9155)
    assert settings.memory_store_target == "127.0.0.1:50052"
    assert settings.search_target is None and settings.graph_target is None
    assert settings.llm is None
    assert settings.workers is not None and settings.workers.concurrency == 2
    assert (settings.cognition.window.capacity, settings.cognition.window.chunk) == (20, 20)


def test_every_knob_is_read_from_its_variable() -> None:
    settings = ThoughtEngineSettings.from_env(
        {
            "MEMGRID_THOUGHT_ENGINE_PORT": "0",
            "MEMGRID_SEARCH_TARGET": "127.0.0.1:1",
            "MEMGRID_GRAPH_TARGET": "127.0.0.1:2",
            "MEMGRID_THOUGHT_WORKERS": "4",
            "MEMGRID_THOUGHT_VISIBILITY_TIMEOUT_SECONDS": "30",
            "MEMGRID_THOUGHT_SHORT_WINDOW": "8",
            "MEMGRID_THOUGHT_SPILL_CHUNK": "4",
            "MEMGRID_THOUGHT_HEAT_HALF_LIFE_HOURS": "24",
            "MEMGRID_THOUGHT_TIMEZONE": "Europe/Paris",
            "MEMGRID_LLM_BASE_URL": "http://127.0.0.1:8080/v1",
            "MEMGRID_LLM_MODEL": "gemma-3-270m",
            "MEMGRID_LLM_TOKEN_BUDGET": "5000",
        }
    )

    assert settings.server.port == 0
    assert (settings.search_target, settings.graph_target) == ("127.0.0.1:1", "127.0.0.1:2")
    assert settings.workers is not None
    assert (settings.workers.concurrency, settings.workers.visibility_timeout_seconds) == (4, 30)
    assert (settings.cognition.window.capacity, settings.cognition.window.chunk) == (8, 4)
    assert settings.cognition.heat.half_life == timedelta(hours=24)
    assert str(settings.cognition.patterns.timezone) == "Europe/Paris"
    assert settings.llm is not None
    assert (settings.llm.chat.model, settings.llm.tokens_per_tenant) == ("gemma-3-270m", 5000)


def test_workers_can_be_turned_off_for_a_replica_that_only_serves() -> None:
    assert (
        ThoughtEngineSettings.from_env({"MEMGRID_THOUGHT_WORKERS_ENABLED": "false"}).workers is None
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MEMGRID_THOUGHT_SHORT_WINDOW", "0"),
        ("MEMGRID_THOUGHT_WORKERS", "many"),
        ("MEMGRID_THOUGHT_VISIBILITY_TIMEOUT_SECONDS", "7200"),
        ("MEMGRID_THOUGHT_TIMEZONE", "Mars/Olympus"),
        ("MEMGRID_LLM_TIMEOUT_SECONDS", "soon"),
    ],
)
def test_a_bad_value_fails_start_up_naming_its_variable(variable: str, value: str) -> None:
    env = {variable: value, "MEMGRID_LLM_BASE_URL": "http://x/v1", "MEMGRID_LLM_MODEL": "m"}

    with pytest.raises(SettingsError, match=variable):
        ThoughtEngineSettings.from_env(env)
