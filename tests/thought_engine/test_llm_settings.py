from __future__ import annotations

import pytest

from services.thought_engine.llm.openai_chat import OpenAIChatSettings
from services.thought_engine.llm.provider import OutputMode


def test_settings_from_env() -> None:
    assert OpenAIChatSettings.from_env({}) is None
    settings = OpenAIChatSettings.from_env(
        {
            "MEMGRID_LLM_BASE_URL": "http://127.0.0.1:8080/v1",
            "MEMGRID_LLM_MODEL": "gemma",
            "MEMGRID_LLM_TIMEOUT_SECONDS": "5",
            "MEMGRID_LLM_MAX_ATTEMPTS": "2",
            "MEMGRID_LLM_OUTPUT_MODE": "prompt",
        }
    )
    assert settings is not None
    assert (settings.model, settings.timeout_seconds, settings.max_attempts) == ("gemma", 5.0, 2)
    assert settings.output_modes == (OutputMode.PROMPT,)


@pytest.mark.parametrize(
    "env",
    [
        {"MEMGRID_LLM_BASE_URL": "http://x/v1"},
        {
            "MEMGRID_LLM_BASE_URL": "http://x/v1",
            "MEMGRID_LLM_MODEL": "m",
            "MEMGRID_LLM_OUTPUT_MODE": "xml",
        },
        {
            "MEMGRID_LLM_BASE_URL": "http://x/v1",
            "MEMGRID_LLM_MODEL": "m",
            "MEMGRID_LLM_MAX_ATTEMPTS": "0",
        },
    ],
)
def test_bad_settings_fail_fast(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="MEMGRID_LLM"):
        OpenAIChatSettings.from_env(env)
