"""The thought engine's settings, read once from the environment in the entry point.

A bad value fails start-up with a message naming its variable (SettingsError).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from memgrid_runtime.settings import Env, ServerSettings, SettingsError

from services.thought_engine.chat import ChatSettings
from services.thought_engine.episode_step import WindowParams
from services.thought_engine.llm.openai_chat import OpenAIChatSettings
from services.thought_engine.patterns import PatternParams
from services.thought_engine.tiers import HeatParams
from services.thought_engine.worker import WorkerSettings

SERVICE_NAME = "thought-engine"
DEFAULT_PORT = 50055
DEFAULT_METRICS_PORT = 9155


@dataclass(frozen=True)
class LLMSettings:
    chat: OpenAIChatSettings
    tokens_per_tenant: int
    budget_window_seconds: float


@dataclass(frozen=True)
class CognitionSettings:
    window: WindowParams
    heat: HeatParams
    mid_capacity: int
    patterns: PatternParams
    pattern_horizon: timedelta
    pattern_max_turns: int


@dataclass(frozen=True)
class ThoughtEngineSettings:
    server: ServerSettings
    memory_store_target: str
    # Optional derived stores: Chat retrieves through search; passes feed the graph.
    search_target: str | None
    graph_target: str | None
    # None runs the service without workers (a read-only replica, say).
    workers: WorkerSettings | None
    cognition: CognitionSettings
    # None: no LLM; every step runs its deterministic algorithm and Chat is unavailable.
    llm: LLMSettings | None
    chat: ChatSettings
    default_timeout_seconds: float

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ThoughtEngineSettings:
        environ = os.environ if environ is None else environ
        env = Env(environ)
        return cls(
            server=ServerSettings.from_env(
                SERVICE_NAME,
                default_port=DEFAULT_PORT,
                default_metrics_port=DEFAULT_METRICS_PORT,
                env=env,
            ),
            memory_store_target=env.string("MEMGRID_MEMORY_STORE_TARGET", "127.0.0.1:50052"),
            search_target=env.optional_string("MEMGRID_SEARCH_TARGET"),
            graph_target=env.optional_string("MEMGRID_GRAPH_TARGET"),
            workers=_workers(env),
            cognition=_cognition(env),
            llm=_llm(env, environ),
            chat=ChatSettings(
                default_k=env.integer("MEMGRID_THOUGHT_CHAT_MEMORIES", 8, minimum=1),
                recent_turns=env.integer("MEMGRID_THOUGHT_CHAT_RECENT_TURNS", 6, minimum=0),
                max_tokens=env.integer("MEMGRID_THOUGHT_CHAT_MAX_TOKENS", 256, minimum=1),
                temperature=env.number("MEMGRID_THOUGHT_CHAT_TEMPERATURE", 0.7, minimum=0),
            ),
            default_timeout_seconds=env.number(
                "MEMGRID_DEFAULT_TIMEOUT_SECONDS", 10.0, minimum=0.01
            ),
        )


def _workers(env: Env) -> WorkerSettings | None:
    if not env.flag("MEMGRID_THOUGHT_WORKERS_ENABLED", True):
        return None
    visibility = env.integer("MEMGRID_THOUGHT_VISIBILITY_TIMEOUT_SECONDS", 60, minimum=1)
    if visibility > 3600:
        raise SettingsError(
            f"MEMGRID_THOUGHT_VISIBILITY_TIMEOUT_SECONDS={visibility} must be <= 3600"
        )
    return WorkerSettings(
        worker_id=env.string("MEMGRID_THOUGHT_WORKER_ID", f"{socket.gethostname()}:{os.getpid()}"),
        concurrency=env.integer("MEMGRID_THOUGHT_WORKERS", 2, minimum=1),
        batch_size=env.integer("MEMGRID_THOUGHT_BATCH_SIZE", 50, minimum=1),
        visibility_timeout_seconds=visibility,
        pass_budget_seconds=env.number("MEMGRID_THOUGHT_PASS_BUDGET_SECONDS", 120.0, minimum=1),
        idle_poll_seconds=env.number("MEMGRID_THOUGHT_IDLE_POLL_SECONDS", 0.2, minimum=0.01),
        retry_after_seconds=env.integer("MEMGRID_THOUGHT_RETRY_AFTER_SECONDS", 0, minimum=0),
        outage_backoff_seconds=env.number(
            "MEMGRID_THOUGHT_OUTAGE_BACKOFF_SECONDS", 1.0, minimum=0.01
        ),
        outage_backoff_max_seconds=env.number(
            "MEMGRID_THOUGHT_OUTAGE_BACKOFF_MAX_SECONDS", 60.0, minimum=0.01
        ),
    )


def _cognition(env: Env) -> CognitionSettings:
    timezone_name = env.string("MEMGRID_THOUGHT_TIMEZONE", "UTC")
    try:
        timezone = ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"MEMGRID_THOUGHT_TIMEZONE={timezone_name!r} is not a known time zone"
        ) from None
    return CognitionSettings(
        window=WindowParams(
            capacity=env.integer("MEMGRID_THOUGHT_SHORT_WINDOW", 20, minimum=1),
            chunk=env.integer("MEMGRID_THOUGHT_SPILL_CHUNK", 20, minimum=1),
        ),
        heat=HeatParams(
            half_life=timedelta(
                hours=env.number("MEMGRID_THOUGHT_HEAT_HALF_LIFE_HOURS", 168.0, minimum=0.001)
            ),
            promote_threshold=env.number("MEMGRID_THOUGHT_PROMOTE_HEAT", 6.0, minimum=0),
        ),
        mid_capacity=env.integer("MEMGRID_THOUGHT_MID_CAPACITY", 200, minimum=1),
        patterns=PatternParams(
            min_sessions=env.integer("MEMGRID_THOUGHT_PATTERN_MIN_SESSIONS", 3, minimum=1),
            timezone=timezone,
        ),
        pattern_horizon=timedelta(
            days=env.number("MEMGRID_THOUGHT_PATTERN_HORIZON_DAYS", 90.0, minimum=0.001)
        ),
        pattern_max_turns=env.integer("MEMGRID_THOUGHT_PATTERN_MAX_TURNS", 5000, minimum=1),
    )


def _llm(env: Env, environ: Mapping[str, str]) -> LLMSettings | None:
    try:
        chat = OpenAIChatSettings.from_env(environ)
    except ValueError as error:
        raise SettingsError(str(error)) from None
    if chat is None:
        return None
    return LLMSettings(
        chat=chat,
        tokens_per_tenant=env.integer("MEMGRID_LLM_TOKEN_BUDGET", 200_000, minimum=0),
        budget_window_seconds=env.number("MEMGRID_LLM_BUDGET_WINDOW_SECONDS", 86_400.0, minimum=1),
    )
