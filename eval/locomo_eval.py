"""LoCoMo turn-level retrieval through memgrid's public API, beside two in-process baselines.

What it measures: for every LoCoMo question with evidence, whether the turns it cites come
back in the top k (10) of a retriever: Recall@1/5/10 and Hit@10 per category (1 multi-hop,
2 temporal, 3 open-domain, 4 single-hop, 5 adversarial) and overall, scored by the
reference scorer that ships with the data (`locomo_retrieval_eval.evaluate`), so every
retriever is scored the same way. Retrievers, in one run:

- BM25: the reference's BM25Index over `memory_text(turn)`, as its own baseline does;
- dense: plain cosine of all-MiniLM-L6-v2 (the search service's ONNX embedder) between each
  question and every turn's `memory_text`;
- memgrid, once per pass: the suite started as separate processes (Suite, ephemeral ports),
  fed the way an agent would feed it and queried through the gateway's Search. Pass "off"
  runs memory-store, search, graph and gateway (no consolidation); pass "on" adds the
  thought engine (deterministic path) and searches only once it has consolidated
  everything.

How a pass runs:
1. Ingest with the async SDK: one user per conversation (user_id = sample_id), one
   AddMessages per LoCoMo session (session_id "<sample_id>-s<n>"), speaker_a as ROLE_USER
   and speaker_b as ROLE_ASSISTANT, `speaker` = the name, content = the turn's text plus
   " [image: <caption>]" (the reference's memory_text without "<speaker>: "), occurred_at =
   the session's date plus TURN_SPACING_SECONDS per turn, metadata {"dia_id": ...}.
   Conversations go concurrently, sessions of one conversation in order. Ingest turns/s is
   the wall time until every AddMessages returned (the write path indexes before it
   returns; responses whose search propagation is PENDING are counted).
2. Wait until memory-store's outbox queues with a consumer in this pass are empty (pending
   and leased 0 on two polls in a row, GetQueueStats): "search" and "graph", plus
   "thought" with consolidation on. The search queue is drained even when every write was
   indexed on the way in: its jobs would otherwise be worked off (as no-ops) during the
   search phase and count towards its CPU. With consolidation on, an empty thought queue
   means every background pass has run and acked, and each pass enqueues its derived
   memories' search jobs before its ack, so the drained search queue after it means they
   are searchable. Then (unless --no-consolidate-call) Consolidate per user, as an agent
   that imported a history would call it, polled with GetJob until DONE, and the queues
   drained again: background passes make episodes only of whole 20-turn chunks beyond a
   session's 20-turn short-term window, which almost no LoCoMo session (10-44 turns)
   reaches. Memories by kind are then counted (ListMemories per user).
3. Search every question (k 10, filter user_id), --concurrency at a time. A MESSAGE hit
   maps to its metadata dia_id, a derived hit (EPISODE, FACT, PROFILE, PATTERN...) to the
   dia_ids of its source_message_ids in order (message ids are known from the AddMessages
   responses); the lists are flattened, de-duplicated and cut to k before scoring. Also
   counted: how many top-10 hits, and how many of the scored top-10 turn ids, each memory
   kind supplied; and source ids that map to no turn.
4. CPU per Search: utime+stime (with cutime/cstime of reaped children) of every service
   process and its descendants (FalkorDB's redis-server under graph) from /proc, before
   and after the search phase, divided by the number of searches; also per service.

Tracing is off in the suite (OTEL_SDK_DISABLED), as in perf/. Data: LoCoMo's dev split in
$MEMGRID_LOCOMO_DIR, else ../shared/eval/locomo beside the repository (never copied in).

Run: make eval, or .venv/bin/python eval/locomo_eval.py [--consolidation off|on|both]
[--conversations N] [--questions N (per conversation)] [--concurrency 4]
[--consolidation-timeout 900] [--json FILE] [--per-question FILE (JSON lines)]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceStub
from memgrid_client.client import DEV_API_KEY, AsyncMemgrid
from memgrid_suite.launcher import SERVICES, Suite

from perf.process_cpu import cpu_seconds_by_service
from services.search.embedding import OnnxEmbedder, OnnxEmbedderConfig
from services.search.temporal import MONTHS

if TYPE_CHECKING:
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub

REPO = Path(__file__).resolve().parents[1]
DATA_FILE = "locomo-dev.json"
SCORER_FILE = "locomo_retrieval_eval.py"
ONNX_CACHE = REPO / "var" / "onnx-cache"
K = 10
KS = (1, 5, 10)
# Turns of a session keep their order in time; LoCoMo gives one time per session.
TURN_SPACING_SECONDS = 5
CALL_TIMEOUT_SECONDS = 60.0
QUEUE_POLL_SECONDS = 1.0
PROGRESS_EVERY_SECONDS = 5.0
EMBED_BATCH = 64

PASS_SERVICES = {
    "off": ("memory-store", "search", "graph", "gateway"),
    "on": ("memory-store", "search", "graph", "thought-engine", "gateway"),
}
# Outbox queues with a consumer in each pass; "thought" piles up unread without the engine.
PASS_QUEUES = {"off": ("search", "graph"), "on": ("thought", "search", "graph")}

Answers = dict[tuple[str, str], list["Hit"]]


# ---------------------------------------------------------------- data


def locomo_dir() -> Path | None:
    given = os.environ.get("MEMGRID_LOCOMO_DIR")
    found = Path(given) if given else REPO.parent / "shared" / "eval" / "locomo"
    if (found / DATA_FILE).is_file() and (found / SCORER_FILE).is_file():
        return found
    return None


def load_scorer(directory: Path) -> ModuleType:
    """The reference scorer, imported by path (it is data, not part of the project)."""
    spec = importlib.util.spec_from_file_location("locomo_retrieval_eval", directory / SCORER_FILE)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {directory / SCORER_FILE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def with_questions(convs: Sequence[dict[str, Any]], per_conversation: int | None) -> list[dict]:
    """The conversations with only their first `per_conversation` questions that have
    evidence (all of them when None); the others would not be scored anyway."""
    kept = []
    for conv in convs:
        qa = [q for q in conv["qa"] if q["evidence"]]
        kept.append({**conv, "qa": qa[:per_conversation] if per_conversation else qa})
    return kept


_SESSION_DATE = re.compile(
    r"\s*(\d{1,2}):(\d{2})\s*([ap])\.?m\.?\s+on\s+(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})\s*",
    re.IGNORECASE,
)


def parse_session_date(text: str) -> datetime:
    """LoCoMo's session time ("1:56 pm on 8 May, 2023") as an aware UTC datetime. English
    month names (or their first three letters), whatever the process's locale."""
    found = _SESSION_DATE.fullmatch(text)
    if found is None:
        raise ValueError(f"not a LoCoMo session date: {text!r}")
    hour, minute, half, day, month_name, year = found.groups()
    months = [m for m in MONTHS if m.startswith(month_name.lower()) and len(month_name) >= 3]
    if len(months) != 1:
        raise ValueError(f"unknown month {month_name!r} in {text!r}")
    clock = int(hour) % 12 + (12 if half.lower() == "p" else 0)
    return datetime(
        int(year), MONTHS.index(months[0]) + 1, int(day), clock, int(minute), tzinfo=UTC
    )


def turn_content(turn: Mapping[str, Any]) -> str:
    """The reference's memory_text without its "<speaker>: " prefix (the speaker is sent
    as its own field)."""
    content = str(turn["text"])
    if turn.get("blip_caption"):
        content += f" [image: {turn['blip_caption']}]"
    return content


def sessions_of(conv: Mapping[str, Any]) -> list[tuple[int, list[dict[str, Any]]]]:
    """(session number, its turns in order), sessions in order."""
    sessions: dict[int, list[dict[str, Any]]] = {}
    for turn in conv["turns"]:
        sessions.setdefault(int(turn["session"]), []).append(turn)
    return sorted(sessions.items())


def session_messages(
    conv: Mapping[str, Any], turns: Sequence[Mapping[str, Any]]
) -> list[common.NewMessage]:
    started = parse_session_date(turns[0]["session_date"])
    messages = []
    for position, turn in enumerate(turns):
        message = common.NewMessage(
            role=common.ROLE_USER
            if turn["speaker"] == conv["speaker_a"]
            else common.ROLE_ASSISTANT,
            speaker=turn["speaker"],
            content=turn_content(turn),
            metadata={"dia_id": turn["dia_id"]},
        )
        message.occurred_at.FromDatetime(
            started + timedelta(seconds=position * TURN_SPACING_SECONDS)
        )
        messages.append(message)
    return messages


# ---------------------------------------------------------------- hits -> turn ids


@dataclass(frozen=True)
class Hit:
    """One retrieved item: a turn (baselines, MESSAGE hits) or a derived memory standing
    for the turns it came from."""

    memory_id: str
    kind: str
    score: float
    dia_ids: tuple[str, ...]
    # memgrid only: set when the graph contributed the hit (SearchExplanation.graph_hops).
    graph_hops: int = 0


def ranked_turns(hits: Iterable[Hit], k: int) -> list[tuple[str, str]]:
    """(dia_id, kind of the hit that supplied it): every hit's turns in hit order, first
    occurrence kept, cut to k; what the reference evaluate() scores."""
    seen: set[str] = set()
    ranked: list[tuple[str, str]] = []
    for hit in hits:
        for dia_id in hit.dia_ids:
            if dia_id in seen:
                continue
            seen.add(dia_id)
            ranked.append((dia_id, hit.kind))
            if len(ranked) == k:
                return ranked
    return ranked


@dataclass
class Places:
    """How many of the top-k places each memory kind took, over all questions."""

    hits: Counter[str] = field(default_factory=Counter)
    turn_ids: Counter[str] = field(default_factory=Counter)


def count_places(answers: Iterable[Sequence[Hit]], k: int) -> Places:
    places = Places()
    for hits in answers:
        places.hits.update(hit.kind for hit in hits[:k])
        places.turn_ids.update(kind for _, kind in ranked_turns(hits, k))
    return places


def kind_name(kind: common.MemoryKind.ValueType) -> str:
    return common.MemoryKind.Name(kind).removeprefix("MEMORY_KIND_")


@dataclass
class HitMapper:
    """Maps a Search hit to the LoCoMo turns it stands for."""

    dia_of_message: dict[str, str]
    unmapped_sources: int = 0
    messages_without_dia_id: int = 0

    def __call__(self, memory: common.Memory, score: float, graph_hops: int = 0) -> Hit:
        if memory.kind == common.MEMORY_KIND_MESSAGE:
            dia_id = memory.metadata.get("dia_id", "") or self.dia_of_message.get(memory.id, "")
            self.messages_without_dia_id += not dia_id
            dia_ids: tuple[str, ...] = (dia_id,) if dia_id else ()
        else:
            mapped = [self.dia_of_message.get(s, "") for s in memory.source_message_ids]
            self.unmapped_sources += mapped.count("")
            dia_ids = tuple(d for d in mapped if d)
        return Hit(memory.id, kind_name(memory.kind), score, dia_ids, graph_hops)


# ---------------------------------------------------------------- baselines


def bm25_answers(scorer: ModuleType, convs: Sequence[dict[str, Any]], k: int) -> Answers:
    """The reference BM25 baseline (its BM25Index over memory_text, ties to the earlier
    turn), keeping the scores."""
    answers: Answers = {}
    for conv in convs:
        turns = conv["turns"]
        index = scorer.BM25Index([scorer.tokenize(scorer.memory_text(t)) for t in turns])
        for q in conv["qa"]:
            scores = index.scores(scorer.tokenize(q["question"]))
            order = sorted(range(len(turns)), key=lambda i: (-scores[i], i))[:k]
            answers[(conv["sample_id"], q["question"])] = [
                Hit(turns[i]["dia_id"], "TURN", scores[i], (turns[i]["dia_id"],)) for i in order
            ]
    return answers


def dense_answers(scorer: ModuleType, convs: Sequence[dict[str, Any]], k: int) -> Answers:
    """Cosine of the ONNX MiniLM vectors (normalised, so a dot product) of each question
    and every turn of its conversation."""
    embedder = OnnxEmbedder(OnnxEmbedderConfig(cache_dir=ONNX_CACHE))

    def embed(texts: Sequence[str]) -> np.ndarray:
        parts = [
            embedder.embed_sync(texts[i : i + EMBED_BATCH])
            for i in range(0, len(texts), EMBED_BATCH)
        ]
        return np.vstack(parts)

    answers: Answers = {}
    for conv in convs:
        turns = conv["turns"]
        turn_vectors = embed([scorer.memory_text(t) for t in turns])
        if not conv["qa"]:
            continue
        scores = embed([q["question"] for q in conv["qa"]]) @ turn_vectors.T
        for q, row in zip(conv["qa"], scores, strict=True):
            order = np.argsort(-row, kind="stable")[:k]
            answers[(conv["sample_id"], q["question"])] = [
                Hit(turns[i]["dia_id"], "TURN", float(row[i]), (turns[i]["dia_id"],)) for i in order
            ]
    return answers


# ---------------------------------------------------------------- a memgrid pass


@dataclass
class PassResult:
    name: str
    turns: int
    ingest_seconds: float
    add_messages_calls: int
    add_messages_p50_ms: float
    add_messages_p95_ms: float
    search_pending: int
    consolidate_called: bool
    # Every queue drained (and every Consolidate job DONE) before the timeout.
    settled: bool
    settle_seconds: float
    dead_jobs: dict[str, int]
    memories_by_kind: dict[str, int]
    superseded: int
    searches: int
    search_p50_ms: float
    search_p95_ms: float
    cpu_ms_per_search: dict[str, float]
    places: Places
    unmapped_sources: int
    messages_without_dia_id: int
    degraded_searches: int
    answers: Answers = field(repr=False)

    @property
    def label(self) -> str:
        return f"consolidation {self.name}" + (" + Consolidate" if self.consolidate_called else "")

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.ingest_seconds if self.ingest_seconds else 0.0

    def figures(self) -> dict[str, Any]:
        figures = asdict(self)
        del figures["answers"]
        figures["places"] = {
            "hits": dict(self.places.hits),
            "turn_ids": dict(self.places.turn_ids),
        }
        figures["label"] = self.label
        figures["turns_per_second"] = self.turns_per_second
        return figures


async def ingest(
    client: AsyncMemgrid, convs: Sequence[dict[str, Any]], concurrency: int
) -> tuple[float, dict[str, str], list[float], int]:
    """Sends every session; returns (seconds, message id -> dia_id, each call's latency,
    calls whose search propagation came back PENDING)."""
    in_flight = asyncio.Semaphore(concurrency)
    dia_of_message: dict[str, str] = {}
    latencies: list[float] = []
    pending = 0

    async def conversation(conv: dict[str, Any]) -> None:
        nonlocal pending
        for number, turns in sessions_of(conv):
            session_id = f"{conv['sample_id']}-s{number}"
            async with in_flight:
                sent = time.perf_counter()
                reply = await client.add_messages(
                    common.Scope(user_id=conv["sample_id"], session_id=session_id),
                    session_messages(conv, turns),
                    idempotency_key=session_id,
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                latencies.append(time.perf_counter() - sent)
            pending += any(
                p.store == "search" and p.state != common.PROPAGATION_STATE_DONE
                for p in reply.propagation
            )
            for memory in reply.memories:
                dia_of_message[memory.id] = memory.metadata["dia_id"]
        print(f"  {conv['sample_id']}: {len(conv['turns'])} turns sent")

    started = time.perf_counter()
    await asyncio.gather(*(conversation(c) for c in convs))
    return time.perf_counter() - started, dia_of_message, latencies, pending


def _stats_line(stats: Sequence[Any]) -> str:
    return "; ".join(
        f"{s.queue} {s.pending} pending / {s.leased} leased / {s.done} done"
        + (f" / {s.dead} DEAD" if s.dead else "")
        for s in stats
    )


async def wait_for_queues(
    store: MemoryStoreServiceAsyncStub, queues: Sequence[str], deadline: float, label: str
) -> tuple[bool, dict[str, int]]:
    """Polls until every queue has nothing pending or leased on two polls in a row, or
    the deadline (time.monotonic()) passes; returns (drained, dead jobs per queue)."""
    started = last_print = time.monotonic()
    empty_polls = 0
    while True:
        reply = await store.GetQueueStats(
            mrr.GetQueueStatsRequest(queues=list(queues)), timeout=CALL_TIMEOUT_SECONDS
        )
        dead = {s.queue: int(s.dead) for s in reply.stats}
        empty_polls = empty_polls + 1 if all(s.pending + s.leased == 0 for s in reply.stats) else 0
        now = time.monotonic()
        if empty_polls == 2:
            print(f"  {label}: done in {now - started:.0f} s ({_stats_line(reply.stats)})")
            return True, dead
        if now > deadline:
            print(
                f"  {label}: GAVE UP at the timeout with work left ({_stats_line(reply.stats)}); "
                "searching what is there, figures flagged"
            )
            return False, dead
        if now - last_print >= PROGRESS_EVERY_SECONDS:
            print(f"  {label}: {now - started:4.0f} s: {_stats_line(reply.stats)}")
            last_print = now
        await asyncio.sleep(QUEUE_POLL_SECONDS)


async def consolidate_users(client: AsyncMemgrid, users: Sequence[str], deadline: float) -> bool:
    """Consolidate per user (the public API's "consolidate now"), polled with GetJob until
    every job is DONE or DEAD; returns whether all are DONE before the deadline.

    Background passes spill a session's turns into episodes only in whole chunks beyond
    the short-term window (20 + 20 turns by default); Consolidate spills everything beyond
    the window."""
    jobs = {user: (await client.consolidate(user)).job_id for user in users}
    started = last_print = time.monotonic()
    while True:
        states = {user: await client.get_job(job_id) for user, job_id in jobs.items()}
        finished = {
            user: job
            for user, job in states.items()
            if job.state in (gw.JOB_STATE_DONE, gw.JOB_STATE_DEAD)
        }
        now = time.monotonic()
        if len(finished) == len(jobs):
            for user, job in finished.items():
                outcome = gw.JobState.Name(job.state).removeprefix("JOB_STATE_")
                print(
                    f"  Consolidate {user}: {outcome} in {now - started:.0f} s: "
                    f"{job.last_error or job.note}"[:300]
                )
            return all(job.state == gw.JOB_STATE_DONE for job in finished.values())
        if now > deadline:
            print(
                f"  Consolidate: GAVE UP at the timeout, {len(finished)} of {len(jobs)} jobs "
                "finished; searching what is there, figures flagged"
            )
            return False
        if now - last_print >= PROGRESS_EVERY_SECONDS:
            print(f"  Consolidate: {now - started:4.0f} s: {len(finished)} of {len(jobs)} done")
            last_print = now
        await asyncio.sleep(QUEUE_POLL_SECONDS)


async def memories_by_kind(
    client: AsyncMemgrid, convs: Sequence[dict[str, Any]]
) -> tuple[dict[str, int], int]:
    """(current memories per kind, superseded ones) over every conversation's user."""
    kinds: Counter[str] = Counter()
    superseded = 0
    now = datetime.now(UTC)
    for conv in convs:
        async for memory in client.iter_memories(
            common.MemoryFilter(user_id=conv["sample_id"], include_superseded=True),
            page_size=1000,
            timeout=CALL_TIMEOUT_SECONDS,
        ):
            if memory.HasField("valid_to") and memory.valid_to.ToDatetime(UTC) <= now:
                superseded += 1
            else:
                kinds[kind_name(memory.kind)] += 1
    return dict(kinds), superseded


async def search_all(
    client: AsyncMemgrid, convs: Sequence[dict[str, Any]], mapper: HitMapper, concurrency: int
) -> tuple[Answers, list[float], int]:
    """Every question's hits, each Search's latency in seconds, and how many Searches
    reported a degraded retriever."""
    in_flight = asyncio.Semaphore(concurrency)
    answers: Answers = {}
    latencies: list[float] = []
    degraded = 0

    async def one(user_id: str, question: str) -> None:
        nonlocal degraded
        async with in_flight:
            sent = time.perf_counter()
            reply = await client.search(
                question,
                common.MemoryFilter(user_id=user_id),
                k=K,
                timeout=CALL_TIMEOUT_SECONDS,
            )
            latencies.append(time.perf_counter() - sent)
        degraded += bool(reply.degraded)
        answers[(user_id, question)] = [
            mapper(h.memory, h.score, h.explanation.graph_hops) for h in reply.hits
        ]

    questions = {(c["sample_id"], q["question"]) for c in convs for q in c["qa"]}
    await asyncio.gather(*(one(user, question) for user, question in sorted(questions)))
    return answers, latencies, degraded


def percentile_ms(values: Sequence[float], percent: int) -> float:
    if len(values) < 2:
        return 1000 * (values[0] if values else 0.0)
    return 1000 * statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


async def run_pass(
    name: str, convs: Sequence[dict[str, Any]], args: argparse.Namespace, work: Path
) -> PassResult:
    consolidation = name == "on"
    print(f"\nmemgrid, consolidation {name}: starting {', '.join(PASS_SERVICES[name])}")
    suite = Suite(
        data_dir=work / name / "data",
        ephemeral_ports=True,
        log_dir=work / name / "logs",
        services=tuple(s for s in SERVICES if s.name in PASS_SERVICES[name]),
        env={
            "OTEL_SDK_DISABLED": "true",
            "MEMGRID_SEARCH_MODEL_CACHE": str(ONNX_CACHE),
            **dict(item.split("=", 1) for item in args.env),
        },
    )
    async with (
        suite,
        AsyncMemgrid(suite.gateway_address, DEV_API_KEY, timeout=CALL_TIMEOUT_SECONDS) as client,
        suite.internal_channel("memory-store") as store_channel,
    ):
        store: MemoryStoreServiceAsyncStub = MemoryStoreServiceStub(store_channel)
        turns = sum(len(c["turns"]) for c in convs)
        print(f"  ingesting {turns:,} turns of {len(convs)} conversation(s)")
        seconds, dia_of_message, calls, pending = await ingest(client, convs, args.concurrency)
        print(
            f"  ingest: {turns / seconds:,.1f} turns/s ({seconds:.1f} s; {len(calls)} "
            f"AddMessages, p50 / p95 {percentile_ms(calls, 50):.0f} / "
            f"{percentile_ms(calls, 95):.0f} ms; search propagation PENDING in {pending})"
        )
        waited_from = time.monotonic()
        deadline = waited_from + args.consolidation_timeout
        label = "background consolidation" if consolidation else "outbox"
        settled, dead = await wait_for_queues(store, PASS_QUEUES[name], deadline, label)
        called = consolidation and settled and args.consolidate_call
        if called:
            users = [c["sample_id"] for c in convs]
            settled = await consolidate_users(client, users, deadline)
            if settled:
                settled, dead = await wait_for_queues(
                    store, PASS_QUEUES[name], deadline, "indexing what Consolidate wrote"
                )
        settle_seconds = time.monotonic() - waited_from
        kinds, superseded = await memories_by_kind(client, convs)
        print(
            "  memories by kind: "
            + ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
            + f"; superseded {superseded:,}"
        )
        mapper = HitMapper(dia_of_message)
        before = cpu_seconds_by_service(suite)
        answers, latencies, degraded = await search_all(client, convs, mapper, args.concurrency)
        after = cpu_seconds_by_service(suite)
    cpu = {s: 1000 * (after[s] - before[s]) / max(1, len(latencies)) for s in before}
    cpu["total"] = sum(cpu.values())
    return PassResult(
        name=name,
        turns=turns,
        ingest_seconds=seconds,
        add_messages_calls=len(calls),
        add_messages_p50_ms=percentile_ms(calls, 50),
        add_messages_p95_ms=percentile_ms(calls, 95),
        search_pending=pending,
        consolidate_called=called,
        settled=settled,
        settle_seconds=settle_seconds,
        dead_jobs=dead,
        memories_by_kind=kinds,
        superseded=superseded,
        searches=len(latencies),
        search_p50_ms=percentile_ms(latencies, 50),
        search_p95_ms=percentile_ms(latencies, 95),
        cpu_ms_per_search=cpu,
        places=count_places(answers.values(), K),
        unmapped_sources=mapper.unmapped_sources,
        messages_without_dia_id=mapper.messages_without_dia_id,
        degraded_searches=degraded,
        answers=answers,
    )


# ---------------------------------------------------------------- scoring and report


def score(
    scorer: ModuleType, answers: Answers, convs: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The reference evaluate() over precomputed answers; also its per-question rows."""

    def retrieve(conversation_id: str, question: str, k: int) -> list[str]:
        return [d for d, _ in ranked_turns(answers[(conversation_id, question)], k)]

    rows: list[dict[str, Any]] = []
    return scorer.evaluate(retrieve, list(convs), KS, per_question=rows), rows


def places_line(places: Places) -> str:
    kinds = sorted(set(places.hits) | set(places.turn_ids))
    return ", ".join(
        f"{kind} {places.hits[kind]:,} hits / {places.turn_ids[kind]:,} turn ids" for kind in kinds
    )


def summary_tables(results: Mapping[str, dict[str, Any]], passes: Sequence[PassResult]) -> str:
    lines = ["| retriever | R@10 | Hit@10 |", "|---|---|---|"]
    for name, result in results.items():
        overall = result["overall"]
        lines.append(f"| {name} | {overall['recall@10']:.3f} | {overall['hit@10']:.3f} |")
    if not passes:
        return "\n".join(lines)
    services = [s for s in passes[-1].cpu_ms_per_search if s != "total"]
    lines += [
        "",
        "| pass | ingest turns/s | PENDING | settled | Search p50 / p95 ms | CPU ms/Search | "
        + " | ".join(services)
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(services),
    ]
    for p in passes:
        per_service = " | ".join(
            f"{p.cpu_ms_per_search[s]:.1f}" if s in p.cpu_ms_per_search else "-" for s in services
        )
        lines.append(
            f"| {p.label} | {p.turns_per_second:,.1f} | {p.search_pending}"
            f"/{p.add_messages_calls} | {'yes' if p.settled else 'NO'} "
            f"({p.settle_seconds:.0f} s) | {p.search_p50_ms:.1f} / {p.search_p95_ms:.1f} | "
            f"{p.cpu_ms_per_search['total']:.1f} | {per_service} |"
        )
    return "\n".join(lines)


def per_question_lines(name: str, rows: Sequence[dict[str, Any]], answers: Answers) -> list[str]:
    """One JSON line per question: the reference's row (evidence, retrieved ids, recall
    and hit at each k) and the hits behind it, with their scores and kinds."""
    lines = []
    for row in rows:
        hits = answers[(row["conversation_id"], row["question"])]
        lines.append(
            json.dumps({"retriever": name, **row, "hits": [asdict(h) for h in hits]}) + "\n"
        )
    return lines


async def run_passes(
    names: Sequence[str], convs: Sequence[dict[str, Any]], args: argparse.Namespace
) -> list[PassResult]:
    """One pass after another (never two suites at once: they would share the cores)."""
    work = Path(tempfile.mkdtemp(prefix="memgrid-locomo-"))
    try:
        passes = [await run_pass(name, convs, args, work) for name in names]
    except BaseException:
        print(f"a pass failed; the services' logs are kept in {work}", file=sys.stderr)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return passes


def print_report(
    scorer: ModuleType, results: Mapping[str, dict[str, Any]], passes: Sequence[PassResult]
) -> None:
    print()
    for name, result in results.items():
        print(scorer.format_table(name, result, KS))
        print()
    for p in passes:
        print(f"memgrid, {p.label}: top-{K} places by kind: {places_line(p.places)}")
        if p.unmapped_sources or p.messages_without_dia_id:
            print(
                f"  {p.unmapped_sources} source message ids and "
                f"{p.messages_without_dia_id} MESSAGE hits mapped to no LoCoMo turn"
            )
        if p.degraded_searches:
            print(f"  {p.degraded_searches} Searches reported a degraded retriever")
        if any(p.dead_jobs.values()):
            print(f"  DEAD jobs: {p.dead_jobs}")
    print()
    print(summary_tables(results, passes))


def main(args: argparse.Namespace) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    directory = locomo_dir()
    if directory is None:
        print(
            f"LoCoMo data not found: set MEMGRID_LOCOMO_DIR to the folder holding {DATA_FILE} "
            f"and {SCORER_FILE} (default {REPO.parent / 'shared' / 'eval' / 'locomo'})"
        )
        return 2
    scorer = load_scorer(directory)
    convs = with_questions(
        scorer.load_locomo(str(directory / DATA_FILE))[: args.conversations], args.questions
    )
    turns = sum(len(c["turns"]) for c in convs)
    questions = sum(len(c["qa"]) for c in convs)
    print(
        f"LoCoMo dev split ({directory}): {len(convs)} conversation(s), {turns:,} turns, "
        f"{questions:,} questions with evidence"
    )

    runs: dict[str, Answers] = {}
    started = time.perf_counter()
    runs["BM25 over turns"] = bm25_answers(scorer, convs, K)
    print(f"BM25 in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    runs["MiniLM cosine over turns"] = dense_answers(scorer, convs, K)
    print(f"dense cosine in {time.perf_counter() - started:.1f} s")
    names = ("off", "on") if args.consolidation == "both" else (args.consolidation,)
    passes = asyncio.run(run_passes(names, convs, args))
    for p in passes:
        runs[f"memgrid Search, {p.label}"] = p.answers

    results: dict[str, dict[str, Any]] = {}
    per_question: list[str] = []
    for name, answers in runs.items():
        results[name], rows = score(scorer, answers, convs)
        per_question.extend(per_question_lines(name, rows, answers))
    print_report(scorer, results, passes)

    if args.per_question:
        args.per_question.write_text("".join(per_question))
    if args.json:
        figures = {
            "dataset": {
                "dir": str(directory),
                "conversations": [c["sample_id"] for c in convs],
                "turns": turns,
                "questions": questions,
            },
            "k": K,
            "concurrency": args.concurrency,
            "results": results,
            "passes": {p.name: p.figures() for p in passes},
        }
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consolidation", choices=("off", "on", "both"), default="both")
    parser.add_argument("--conversations", type=int, default=None, help="the first N only")
    parser.add_argument(
        "--questions", type=int, default=None, help="the first N questions per conversation"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="calls in flight")
    parser.add_argument(
        "--consolidation-timeout",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="how long a pass may wait for its queues (and Consolidate jobs) after ingest",
    )
    parser.add_argument(
        "--no-consolidate-call",
        dest="consolidate_call",
        action="store_false",
        help="consolidation on: only the background passes, no Consolidate per user",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for every service, e.g. MEMGRID_SEARCH_GRAPH_WEIGHT=0.2",
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--per-question", type=Path, help="write each question's hits (JSON lines)")
    args = parser.parse_args(argv)
    if bad := [item for item in args.env if "=" not in item.strip("=")]:
        parser.error(f"--env takes NAME=VALUE, got {bad[0]!r}")
    return args


if __name__ == "__main__":
    sys.exit(main(parse_args()))
