"""Facts from crafted turns, reconciled against a real memory-store: added, restated,
superseded with history kept, repaired after a crash, and never duplicated by a retry."""

from __future__ import annotations

from datetime import timedelta

from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import request_response_pb2 as mrr

from services.thought_engine import records
from services.thought_engine.facts import Fact
from services.thought_engine.reconcile import Action
from tests.thought_engine.conftest import MemoryStoreServer
from tests.thought_engine.conversations import T0
from tests.thought_engine.support import (
    OTHER_TENANT,
    TENANT,
    append,
    engine,
    memories_of,
    scope,
)

FACT_KINDS = (mpb.MEMORY_KIND_PROFILE, mpb.MEMORY_KIND_FACT)


async def test_stated_facts_become_profile_and_fact_memories_with_provenance(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    said = await append(
        store,
        [
            ("user", "Hi! I live in Paris and I'm allergic to peanuts and shellfish."),
            ("assistant", "You live in Rome, right?"),
            ("user", "My sister Anna works at Google."),
        ],
    )
    facts = engine(store).steps.facts

    result = await facts.run(TENANT, scope(), [records.turn_of(m) for m in said], deadline=None)

    assert [d.action for d in result.decisions] == [Action.ADD] * 5
    stored = {m.content: m for m in await memories_of(store, *FACT_KINDS)}
    assert sorted(stored) == [
        "User is allergic to peanuts.",
        "User is allergic to shellfish.",
        "User lives in Paris.",
        "User's sister is called Anna.",
        "User's sister works at Google.",
    ]
    paris = stored["User lives in Paris."]
    assert paris.kind == mpb.MEMORY_KIND_PROFILE
    assert paris.tier == mpb.MEMORY_TIER_LONG
    assert list(paris.source_message_ids) == [said[0].id]
    assert paris.valid_from == said[0].valid_from
    assert paris.scope == mpb.Scope(user_id="alice")
    assert paris.metadata[records.DECISION] == "ADD: nothing current is stored about it"
    google = stored["User's sister works at Google."]
    assert (google.kind, google.tier) == (mpb.MEMORY_KIND_FACT, mpb.MEMORY_TIER_MID)
    assert list(google.source_message_ids) == [said[2].id]


async def test_a_contradiction_supersedes_the_old_fact_and_keeps_it_as_history(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    facts = engine(store).steps.facts
    first = await append(store, [("user", "I live in Paris.")])
    await facts.run(TENANT, scope(), [records.turn_of(m) for m in first], deadline=None)
    restated = await append(
        store, [("user", "As I said, I live in Paris.")], start=T0 + timedelta(days=1)
    )
    moved = await append(
        store, [("user", "I just moved to Berlin!")], start=T0 + timedelta(days=30)
    )

    result = await facts.run(
        TENANT, scope(), [records.turn_of(m) for m in restated + moved], deadline=None
    )

    assert [(d.action, d.fact.value) for d in result.decisions] == [
        (Action.UPDATE, "Paris"),
        (Action.SUPERSEDE, "Berlin"),
    ]
    (berlin,) = [m for m in await memories_of(store, *FACT_KINDS)]
    assert berlin.content == "User lives in Berlin."
    assert berlin.metadata[records.DECISION].startswith("SUPERSEDE: contradicts lives_in='Paris'")
    everything = await memories_of(store, *FACT_KINDS, include_superseded=True)
    (paris,) = [m for m in everything if m.id != berlin.id]
    assert paris.superseded_by == berlin.id
    assert paris.valid_to == moved[0].valid_from
    assert records.split_ids(paris.metadata[records.SOURCES]) == (first[0].id, restated[0].id)
    history = await memory_store.stub.GetMemoryHistory(
        mrr.GetMemoryHistoryRequest(tenant_id=TENANT, id=paris.id)
    )
    # The restatement and the supersession of one pass land in one version.
    assert [v.change_type for v in history.versions] == [
        mpb.CHANGE_TYPE_CREATED,
        mpb.CHANGE_TYPE_SUPERSEDED,
    ]
    assert history.versions[0].memory.valid_to == mpb.Memory().valid_to
    decision = paris.metadata[records.DECISION]
    assert decision.startswith("UPDATE: restated: provenance merged | SUPERSEDED: contradicts")


async def test_a_retried_job_adds_nothing(memory_store: MemoryStoreServer) -> None:
    store = memory_store.client
    facts = engine(store).steps.facts
    said = await append(store, [("user", "I live in Paris. I moved to Berlin. I love jazz.")])
    turns = [records.turn_of(m) for m in said]
    await facts.run(TENANT, scope(), turns, deadline=None)
    before = await memories_of(store, *FACT_KINDS, include_superseded=True)

    again = await facts.run(TENANT, scope(), turns, deadline=None)

    assert {d.action for d in again.decisions} == {Action.SKIP}
    after = await memories_of(store, *FACT_KINDS, include_superseded=True)
    assert [(m.id, m.version) for m in after] == [(m.id, m.version) for m in before]


async def test_a_supersession_a_crash_left_half_done_is_finished_by_the_retry(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    facts = engine(store).steps.facts
    first = await append(store, [("user", "I live in Paris.")])
    await facts.run(TENANT, scope(), [records.turn_of(m) for m in first], deadline=None)
    moved = await append(store, [("user", "I moved to Berlin.")], start=T0 + timedelta(days=2))
    # What the first attempt wrote before it died: the new fact, not yet the old one's end.
    berlin_fact = Fact(
        "user", "lives_in", "Berlin", (moved[0].id,), records.turn_of(moved[0]).occurred_at
    )
    (berlin,) = await store.create_memories(
        TENANT,
        [
            mpb.NewMemory(
                scope=mpb.Scope(user_id="alice"),
                kind=mpb.MEMORY_KIND_PROFILE,
                content=berlin_fact.statement,
                metadata=records.fact_metadata(berlin_fact, "SUPERSEDE: contradicts Paris"),
                source_message_ids=[moved[0].id],
                valid_from=moved[0].valid_from,
            )
        ],
        idempotency_key="",
    )

    retry = await facts.run(TENANT, scope(), [records.turn_of(m) for m in moved], deadline=None)

    assert retry.repaired == 1
    assert [d.action for d in retry.decisions] == [Action.SKIP]
    current = await memories_of(store, *FACT_KINDS)
    assert [m.id for m in current] == [berlin.id]
    everything = await memories_of(store, *FACT_KINDS, include_superseded=True)
    assert len(everything) == 2
    (paris,) = [m for m in everything if m.id != berlin.id]
    assert paris.superseded_by == berlin.id
    assert paris.metadata[records.DECISION].startswith(
        "repaired: lives_in='Paris' was still current"
    )


async def test_facts_of_one_tenant_never_meet_another_tenants(
    memory_store: MemoryStoreServer,
) -> None:
    store = memory_store.client
    facts = engine(store).steps.facts
    mine = await append(store, [("user", "I live in Paris.")])
    theirs = await append(store, [("user", "I live in Oslo.")], tenant_id=OTHER_TENANT)

    await facts.run(TENANT, scope(), [records.turn_of(m) for m in mine], deadline=None)
    result = await facts.run(
        OTHER_TENANT, scope(), [records.turn_of(m) for m in theirs], deadline=None
    )

    assert [d.action for d in result.decisions] == [Action.ADD]
    assert [m.content for m in await memories_of(store, *FACT_KINDS)] == ["User lives in Paris."]
    assert [m.content for m in await memories_of(store, *FACT_KINDS, tenant_id=OTHER_TENANT)] == [
        "User lives in Oslo."
    ]
