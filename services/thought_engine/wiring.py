"""Builds the engine's parts from its settings: one place, used by the entry point and tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.thought_engine.chat import ChatService
from services.thought_engine.consolidation import Consolidator, Steps
from services.thought_engine.embedding import HashedBagOfWords
from services.thought_engine.episode_step import EpisodeStep
from services.thought_engine.fact_step import FactStep
from services.thought_engine.feedback_recorder import FeedbackRecorder
from services.thought_engine.graph_sink import GraphSink
from services.thought_engine.heat_step import HeatStep
from services.thought_engine.llm.budget import TokenBudget
from services.thought_engine.llm.openai_chat import OpenAIChatProvider
from services.thought_engine.llm.openai_stream import OpenAIChatStreamer
from services.thought_engine.llm_pipeline import CognitionPipeline
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.pattern_step import PatternStep
from services.thought_engine.profile import ProfileReader
from services.thought_engine.search_client import SearchRetriever
from services.thought_engine.segmentation import SegmentationParams
from services.thought_engine.servicer import ThoughtServicer
from services.thought_engine.settings import ThoughtEngineSettings
from services.thought_engine.worker import ThoughtWorkers


@dataclass
class Engine:
    servicer: ThoughtServicer
    steps: Steps
    consolidator: Consolidator
    workers: ThoughtWorkers | None
    llm_clients: list[OpenAIChatProvider | OpenAIChatStreamer] = field(default_factory=list)

    async def close(self) -> None:
        for client in self.llm_clients:
            await client.aclose()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_engine(
    settings: ThoughtEngineSettings,
    store: MemoryStoreClient,
    *,
    search: SearchRetriever | None = None,
    graph: GraphSink | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> Engine:
    provider = streamer = None
    if settings.llm is not None:
        # One budget for extraction and Chat: the limit is the tenant's, whatever uses it.
        budget = TokenBudget(
            settings.llm.tokens_per_tenant, window_seconds=settings.llm.budget_window_seconds
        )
        provider = OpenAIChatProvider(settings.llm.chat, budget)
        streamer = OpenAIChatStreamer(settings.llm.chat, budget)
    embed = HashedBagOfWords()
    pipeline = CognitionPipeline(embed, provider)
    cognition = settings.cognition
    steps = Steps(
        facts=FactStep(store, pipeline),
        episodes=EpisodeStep(
            store,
            pipeline,
            embed,
            window=cognition.window,
            heat=cognition.heat,
            segmentation=SegmentationParams(),
            clock=clock,
        ),
        heat=HeatStep(store, cognition.heat, mid_capacity=cognition.mid_capacity, clock=clock),
        patterns=PatternStep(
            store,
            cognition.patterns,
            horizon=cognition.pattern_horizon,
            max_turns=cognition.pattern_max_turns,
            clock=clock,
        ),
    )
    consolidator = Consolidator(store, steps, graph)
    profiles = ProfileReader(store)
    servicer = ThoughtServicer(
        store,
        profiles,
        FeedbackRecorder(store),
        ChatService(store, profiles, search, streamer, settings.chat),
    )
    workers = (
        ThoughtWorkers(store, consolidator, settings.workers)
        if settings.workers is not None
        else None
    )
    clients = [client for client in (provider, streamer) if client is not None]
    return Engine(servicer, steps, consolidator, workers, clients)
