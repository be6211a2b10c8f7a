"""`memgrid export` / `memgrid import` on the whole suite: an export imported into another
user or tenant re-creates its memories; importing it again creates nothing; both resume
after being killed; a bad line is refused with its number before anything is written."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from google.protobuf import timestamp_pb2
from google.protobuf.json_format import ParseDict
from memgrid.common.v1 import memory_pb2 as common
from memgrid_client.client import MemgridClient

from tests.e2e.conftest import Stack
from tests.support.cli import run_cli

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _user() -> str:
    return f"x-{uuid.uuid4().hex[:8]}"


def _at(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


async def _everything_of(client: MemgridClient, user: str) -> list[common.Memory]:
    return [m async for m in client.iter_memories(common.MemoryFilter(user_id=user))]


def _what_it_says(memory: common.Memory) -> tuple[object, ...]:
    """What an import re-creates; the server's own fields (id, created_at, ...) are new."""
    return (
        memory.kind,
        memory.tier,
        memory.content,
        memory.role,
        memory.speaker,
        tuple(sorted(memory.metadata.items())),
        tuple(memory.tags),
        round(memory.importance, 3),
        memory.valid_from.ToJsonString(),
        memory.scope.session_id,
    )


async def _stored_conversation(client: MemgridClient, user: str) -> dict[str, common.Memory]:
    """Two turns and two facts, one citing a turn, one with an expiry and tags."""
    turns = await client.add_messages(
        common.Scope(user_id=user, session_id="trip"),
        [
            common.NewMessage(
                role=common.ROLE_USER,
                content="We took the night train to Vienna.",
                speaker="Dana",
                occurred_at=_at(MONDAY),
                metadata={"channel": "sms"},
            ),
            common.NewMessage(
                role=common.ROLE_ASSISTANT,
                content="How was the sleeper cabin?",
                occurred_at=_at(MONDAY + timedelta(minutes=1)),
            ),
        ],
    )
    cited = common.NewMemory(
        scope=common.Scope(user_id=user, agent_id="planner"),
        kind=common.MEMORY_KIND_FACT,
        content="Dana travelled to Vienna by night train",
        metadata={"confidence": "high"},
        tags=["travel", "rail"],
        importance=0.8,
        source_message_ids=[turns.memories[0].id],
        valid_from=_at(MONDAY),
    )
    expiring = common.NewMemory(
        scope=common.Scope(user_id=user),
        kind=common.MEMORY_KIND_PROCEDURE,
        tier=common.MEMORY_TIER_LONG,
        content="Book sleeper cabins two weeks ahead",
    )
    expiring.ttl.FromTimedelta(timedelta(days=30))
    facts = await client.add_memories([cited, expiring])
    memories = [*turns.memories, *facts.memories]
    return {memory.id: memory for memory in memories}


async def test_an_export_imported_into_another_user_and_tenant_says_the_same(
    stack: Stack, client_a: MemgridClient, client_b: MemgridClient, tmp_path: Path
) -> None:
    source = _user()
    stored = await _stored_conversation(client_a, source)
    export = tmp_path / "export.ndjson"
    exported = await run_cli(
        stack.address, stack.key_a, "export", "--user", source, "-o", str(export)
    )
    assert exported.code == 0, exported.err
    lines = export.read_text().splitlines()
    records = {
        record.id: record
        for record in (ParseDict(json.loads(line)["memory"], common.Memory()) for line in lines)
    }
    # Everything the source user has when the export runs (the thought engine may have
    # added what it derived from the turns by then), their own ids and all.
    assert set(stored) <= set(records)
    assert not (tmp_path / "export.ndjson.cursor").exists()

    target = _user()
    for key, client, user, user_args in (
        (stack.key_a, client_a, target, ("--user", target)),  # another user, same tenant
        (stack.key_b, client_b, source, ()),  # the same user id, in another tenant
    ):
        imported = await run_cli(stack.address, key, "import", str(export), *user_args)
        assert imported.code == 0, imported.err
        assert json.loads(imported.out)["created"] == len(lines)

        copies = await _everything_of(client, user)
        says = Counter(_what_it_says(memory) for memory in copies)
        for memory_id in stored:
            # Exactly one copy of each (the target's own thought engine may derive more).
            assert says[_what_it_says(records[memory_id])] == 1, records[memory_id].content
        by_content = {memory.content: memory for memory in copies}
        train_turn = by_content["We took the night train to Vienna."]
        fact = by_content["Dana travelled to Vienna by night train"]
        # Provenance points at the imported turn, never back at the source user's.
        assert list(fact.source_message_ids) == [train_turn.id]
        assert fact.scope.agent_id == "planner"
        procedure = by_content["Book sleeper cabins two weeks ahead"]
        lifetime = procedure.expires_at.ToDatetime(UTC) - procedure.created_at.ToDatetime(UTC)
        assert timedelta(days=29) < lifetime <= timedelta(days=30)
        assert all(memory.scope.user_id == user for memory in copies)


async def test_importing_the_same_file_again_creates_nothing(
    stack: Stack, client_a: MemgridClient, tmp_path: Path
) -> None:
    source, target = _user(), _user()
    await _stored_conversation(client_a, source)
    export = tmp_path / "export.ndjson"
    await run_cli(stack.address, stack.key_a, "export", "--user", source, "-o", str(export))
    count = len(export.read_text().splitlines())

    first = await run_cli(stack.address, stack.key_a, "import", str(export), "--user", target)
    again = await run_cli(stack.address, stack.key_a, "import", str(export), "--user", target)

    assert first.code == 0 and again.code == 0, again.err
    assert json.loads(first.out)["created"] == count
    assert json.loads(again.out) == {"lines": count, "skipped": 0, "created": 0, "replayed": count}
    copies = await _everything_of(client_a, target)
    assert (
        Counter(m.content for m in copies if m.kind != common.MEMORY_KIND_EPISODE).most_common(1)[
            0
        ][1]
        == 1
    )


async def _many_facts(client: MemgridClient, user: str, count: int) -> None:
    for start in range(0, count, 100):
        await client.add_memories(
            [
                common.NewMemory(
                    scope=common.Scope(user_id=user), content=f"Itinerary note number {n}"
                )
                for n in range(start, min(count, start + 100))
            ]
        )


async def _cli_killed_after(stack: Stack, marker: str, *args: str) -> tuple[int, str]:
    """Runs the CLI and kills it (SIGKILL: no chance to clean up) once its stderr shows
    `marker`; returns its exit status and what it had written to stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from memgrid_client.cli import main; main()",
        *args,
        env={**os.environ, "MEMGRID_ADDRESS": stack.address, "MEMGRID_API_KEY": stack.key_a},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    seen = ""
    while marker not in seen:
        line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
        if not line:
            break
        seen += line.decode()
    process.send_signal(signal.SIGKILL)
    return await process.wait(), seen


async def test_an_export_killed_midway_resumes_from_its_last_page(
    stack: Stack, client_a: MemgridClient, tmp_path: Path
) -> None:
    user = _user()
    await _many_facts(client_a, user, 150)
    export = tmp_path / "export.ndjson"
    cursor = tmp_path / "export.ndjson.cursor"

    # A page of one memory at a time, so the export is still running when it is killed.
    command = ("export", "--user", user, "-o", str(export), "--page-size", "1")
    code, _ = await _cli_killed_after(stack, "export: 5 memories", *command)

    assert code == -signal.SIGKILL
    assert cursor.exists()
    stopped_at = json.loads(cursor.read_text())["lines"]
    assert 5 <= stopped_at < 150
    resumed = await run_cli(stack.address, stack.key_a, *command, "--resume")
    assert resumed.code == 0, resumed.err
    assert json.loads(resumed.out)["memories"] == 150
    ids = [json.loads(line)["memory"]["id"] for line in export.read_text().splitlines()]
    expected = [m.id for m in await _everything_of(client_a, user)]
    assert ids == expected
    assert not cursor.exists()
    again = await run_cli(stack.address, stack.key_a, *command, "--resume")
    assert again.code == 1 and "nothing to resume" in again.err


async def test_an_import_killed_midway_completes_with_skip_or_a_rerun(
    stack: Stack, client_a: MemgridClient, tmp_path: Path
) -> None:
    source = _user()
    await _many_facts(client_a, source, 300)
    export = tmp_path / "export.ndjson"
    await run_cli(stack.address, stack.key_a, "export", "--user", source, "-o", str(export))

    for resume in ("skip", "rerun"):
        target = _user()
        command = ("import", str(export), "--user", target, "--batch-size", "2")
        # The progress line at a tenth of the way names a confirmed line.
        code, progress = await _cli_killed_after(stack, "/300 lines", *command)
        assert code == -signal.SIGKILL, progress
        confirmed = int(progress.split("/300 lines")[0].split()[-1])
        assert 0 < confirmed < 300

        extra = ("--skip", str(confirmed)) if resume == "skip" else ()
        finished = await run_cli(stack.address, stack.key_a, *command, *extra)

        assert finished.code == 0, finished.err
        summary = json.loads(finished.out)
        assert summary["lines"] == 300
        if resume == "rerun":
            assert summary["replayed"] >= confirmed
        copies = await _everything_of(client_a, target)
        assert sorted(m.content for m in copies) == sorted(
            f"Itinerary note number {n}" for n in range(300)
        ), resume


async def test_a_bad_line_is_refused_with_its_number_before_anything_is_written(
    stack: Stack, client_a: MemgridClient, tmp_path: Path
) -> None:
    source, target = _user(), _user()
    await _many_facts(client_a, source, 3)
    export = tmp_path / "export.ndjson"
    await run_cli(stack.address, stack.key_a, "export", "--user", source, "-o", str(export))
    good = export.read_text().splitlines()
    wrong_kind = json.loads(good[2])
    wrong_kind["memory"]["kind"] = "MEMORY_KIND_PREFERENCE"

    for lines, problem in (
        ([good[0], '{"format": "memgrid.export/1", "memory": {', good[2]], "line 2: not JSON"),
        ([good[0], good[1], json.dumps(wrong_kind)], "line 3: memory:"),
        ([good[0], json.dumps({"memory": {}})], "line 2: format is None"),
    ):
        broken = tmp_path / "broken.ndjson"
        broken.write_text("\n".join(lines) + "\n")
        result = await run_cli(stack.address, stack.key_a, "import", str(broken), "--user", target)
        assert result.code == 1
        assert problem in result.err, result.err
        assert "nothing was imported" in result.err
    assert await _everything_of(client_a, target) == []

    # From stdin the lines are not read ahead, so a line the gateway refuses is named by
    # its number after the batches before it are stored.
    too_important = json.loads(good[1])
    too_important["memory"]["importance"] = 1.5
    piped = await run_cli(
        stack.address,
        stack.key_a,
        "import",
        "-",
        "--user",
        target,
        "--batch-size",
        "1",
        stdin=f"{good[0]}\n{json.dumps(too_important)}\n",
    )
    assert piped.code == 1
    assert "stdin line 2: memory.importance:" in piped.err, piped.err
    assert "lines 1-1 are imported" in piped.err and "--skip 1" in piped.err
    assert [m.content for m in await _everything_of(client_a, target)] == [
        "Itinerary note number 0"
    ]
