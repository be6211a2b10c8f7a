"""The memgrid CLI drives the gateway: memories, conversation turns, the thought engine's
results, graph queries, cubes and chat; and it reports bad input and an unreachable
gateway in a line or two, at once."""

from __future__ import annotations

import json
import socket
import time
import uuid

from tests.e2e.conftest import Stack
from tests.support.cli import CliResult, run_cli


def _user() -> str:
    return f"cli-{uuid.uuid4().hex[:8]}"


async def _memgrid(stack: Stack, *args: str, stdin: str | None = None) -> CliResult:
    return await run_cli(stack.address, stack.key_a, *args, stdin=stdin)


async def test_cli_add_get_list_delete(stack):
    user = _user()
    added = await _memgrid(
        stack, "add", "--user", user, "I like green tea", "--tag", "drink", "--meta", "src=cli"
    )
    assert added.code == 0, added.err
    memory = json.loads(added.out)
    assert (memory["tags"], memory["metadata"]) == (["drink"], {"src": "cli"})

    got = await _memgrid(stack, "get", memory["id"])
    assert json.loads(got.out)["content"] == "I like green tea"

    listed = await _memgrid(stack, "list", "--user", user)
    assert [m["id"] for m in json.loads(listed.out)["memories"]] == [memory["id"]]

    updated = await _memgrid(stack, "update", memory["id"], "--content", "I like white tea")
    assert json.loads(updated.out)["version"] == "2"
    history = await _memgrid(stack, "history", memory["id"])
    assert [v["memory"]["content"] for v in json.loads(history.out)["versions"]] == [
        "I like green tea",
        "I like white tea",
    ]

    assert (await _memgrid(stack, "delete", memory["id"])).code == 0
    gone = await _memgrid(stack, "get", memory["id"])
    assert gone.code == 1
    assert "NOT_FOUND" in gone.err


async def test_cli_prints_each_bad_field_once(stack):
    result = await _memgrid(stack, "add", "--user", "has space", "x")

    assert result.code == 1
    assert result.err.splitlines()[0] == "memgrid: INVALID_ARGUMENT: invalid request"
    assert result.err.count("memories[0].scope.user_id") == 1


async def test_an_unknown_enum_name_is_one_line_listing_the_valid_ones(stack):
    for args, names in (
        (("add", "--user", "u", "x", "--kind", "preference"), "message, episode, fact"),
        (("graph", "entities", "x", "--user", "u", "--match", "fuzzy"), "exact, alias, prefix"),
        (("feedback", "m1", "great"), "useful, not-useful"),
    ):
        result = await _memgrid(stack, *args)
        assert result.code == 2, args
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "unknown" in result.err and names in result.err


async def test_an_unreachable_gateway_is_reported_at_once(stack):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    started = time.monotonic()
    result = await run_cli(f"127.0.0.1:{closed_port}", stack.key_a, "list", "--user", "u")
    elapsed = time.monotonic() - started

    assert result.code == 1
    assert f"cannot reach the gateway at 127.0.0.1:{closed_port}" in result.err
    # Well inside the 10 s a call (and its retries) would otherwise have waited.
    assert elapsed < 5


async def test_cli_erases_a_user_and_prints_the_receipt(stack):
    user = _user()
    for content in ("I like green tea", "I live in Oslo"):
        result = await _memgrid(stack, "add", "--user", user, content)
        assert result.code == 0, result.err

    erased = await _memgrid(stack, "erase-user", "--user", user)

    assert erased.code == 0, erased.err
    receipt = json.loads(erased.out)
    assert receipt["user_id"] == user
    assert int(receipt["memories_deleted"]) == 2
    listed = await _memgrid(stack, "list", "--user", user)
    assert json.loads(listed.out).get("memories", []) == []


async def test_cli_shows_a_job_and_retries_only_a_dead_one(stack, client_a):
    started = await client_a.consolidate(_user())
    unknown = "01a1f000-0000-7000-8000-000000000000"

    job = await _memgrid(stack, "jobs", "get", started.job_id)
    assert job.code == 0, job.err
    assert json.loads(job.out)["topic"] == "consolidation.requested"
    retried = await _memgrid(stack, "jobs", "retry", started.job_id)
    assert retried.code == 1 and "FAILED_PRECONDITION" in retried.err
    assert "is not dead" in retried.err
    missing = await _memgrid(stack, "jobs", "retry", unknown)
    assert missing.code == 1 and "NOT_FOUND" in missing.err


async def test_turns_from_arguments_and_from_json_on_stdin_make_one_session(stack):
    user = _user()
    scope = ("--user", user, "--session", "s1")
    said = await _memgrid(
        stack, "messages", "add", *scope, "user: I live in Lisbon.", "assistant: Lovely city."
    )
    assert said.code == 0, said.err
    later = [
        {
            "role": "user",
            "content": "Caroline lent me her bike: I ride it to work.",
            "speaker": "Dana",
            "occurred_at": "2025-03-04T08:30:00Z",
            "metadata": {"channel": "sms"},
        }
    ]
    piped = await _memgrid(stack, "messages", "add", *scope, "--json", "-", stdin=json.dumps(later))
    assert piped.code == 0, piped.err

    listed = await _memgrid(stack, "messages", "list", *scope)

    turns = json.loads(listed.out)["messages"]
    assert [(t["role"], t["content"], t["session_seq"]) for t in turns] == [
        ("ROLE_USER", "I live in Lisbon.", "1"),
        ("ROLE_ASSISTANT", "Lovely city.", "2"),
        ("ROLE_USER", "Caroline lent me her bike: I ride it to work.", "3"),
    ]
    assert (turns[2]["speaker"], turns[2]["valid_from"], turns[2]["metadata"]) == (
        "Dana",
        "2025-03-04T08:30:00Z",
        {"channel": "sms"},
    )


async def test_a_turn_without_a_known_role_is_refused_naming_the_turn(stack):
    scope = ("--user", _user(), "--session", "s1")
    for args, stdin, expected in (
        (("hello there",), None, "turn 1: start it with its role"),
        (("user: hi", "narrator: once"), None, "turn 2: unknown role 'narrator'"),
        (("--json", "-"), '[{"role": "user"}, {"content": "x"}]', "turn 2: role: required"),
        (("--json", "-"), "[{", "--json -:"),
    ):
        result = await _memgrid(stack, "messages", "add", *scope, *args, stdin=stdin)
        assert result.code == 2, args
        assert expected in result.err, result.err
    listed = await _memgrid(stack, "messages", "list", *scope)
    assert json.loads(listed.out)["messages"] == []


async def test_consolidate_waits_for_the_job_then_profile_patterns_and_graph_show_it(stack):
    user = _user()
    said = await _memgrid(
        stack,
        "messages",
        "add",
        "--user",
        user,
        "--session",
        "s",
        "user: I live in Lisbon. My sister Marguerite works at Zephyrlabs.",
        "assistant: Good to know.",
    )
    first_turn = json.loads(said.out)["memories"][0]["id"]

    consolidated = await _memgrid(stack, "consolidate", "--user", user, "--wait", "60")
    assert consolidated.code == 0, consolidated.err
    assert json.loads(consolidated.out)["state"] == "JOB_STATE_DONE"

    profile = json.loads((await _memgrid(stack, "profile", "--user", user)).out)
    assert ("user", "lives_in", "Lisbon") in {
        (entry["subject"], entry["key"], entry["value"]) for entry in profile["entries"]
    }
    patterns = await _memgrid(stack, "patterns", "--user", user)
    assert patterns.code == 0 and isinstance(json.loads(patterns.out), dict)

    graph = ("--user", user)
    found = await _memgrid(stack, "graph", "entities", "marguer", *graph, "--match", "prefix")
    assert [e["name"] for e in json.loads(found.out)["entities"]] == ["Marguerite"]
    near = await _memgrid(stack, "graph", "neighbors", "Marguerite", *graph)
    assert "Zephyrlabs" in {r["entity"]["name"] for r in json.loads(near.out)["entities"]}
    path = json.loads(
        (await _memgrid(stack, "graph", "path", "Marguerite", "Zephyrlabs", *graph)).out
    )
    assert path["found"] and [e["name"] for e in path["entities"]] == ["Marguerite", "Zephyrlabs"]
    related = await _memgrid(stack, "graph", "related", "Zephyrlabs", *graph)
    assert first_turn in {hit["memory"]["id"] for hit in json.loads(related.out)["memories"]}
    around = await _memgrid(stack, "graph", "memory", first_turn, *graph)
    assert "Marguerite" in {m["entity"] for m in json.loads(around.out)["mentions"]}
    missing = await _memgrid(stack, "graph", "neighbors", "Nobody", *graph)
    assert missing.code == 1 and "NOT_FOUND" in missing.err

    context = await _memgrid(
        stack, "context", "--user", user, "--session", "s", "where does the user live"
    )
    assert context.code == 0, context.err
    assert "Lisbon" in context.out and "My sister Marguerite" in context.out
    small = await _memgrid(
        stack, "context", "--user", user, "where", "--max-tokens", "40", "--json"
    )
    assert json.loads(small.out)["tokens_used"] <= 40


async def test_cubes_and_feedback(stack):
    owner, reader = _user(), _user()
    cube = f"c-{uuid.uuid4().hex[:8]}"
    created = await _memgrid(stack, "cubes", "create", cube, "--user", owner, "--name", "Trips")
    assert created.code == 0, created.err
    shared = await _memgrid(stack, "cubes", "share", cube, "--user", owner, "--reader", reader)
    assert json.loads(shared.out)["reader_user_ids"] == [reader]
    readable = json.loads((await _memgrid(stack, "cubes", "list", "--user", reader)).out)
    assert [c["cube_id"] for c in readable["cubes"]] == [cube]

    added = await _memgrid(stack, "add", "--user", owner, "--cube", cube, "Porto in May")
    memory_id = json.loads(added.out)["id"]
    judged = await _memgrid(stack, "feedback", memory_id, "useful")
    assert judged.code == 0, judged.err
    assert json.loads((await _memgrid(stack, "get", memory_id)).out)["importance"] > 0.5


async def test_chat_without_an_llm_says_so(stack):
    result = await _memgrid(stack, "chat", "--user", _user(), "--session", "c", "Hello?")

    assert result.code == 1
    assert result.err.startswith("memgrid: FAILED_PRECONDITION:")


async def test_chat_prints_the_answer_as_it_streams(stack, llm_gateway):
    user = _user()
    result = await run_cli(
        llm_gateway, stack.key_a, "chat", "--user", user, "--session", "c", "Say hello."
    )
    assert result.code == 0, result.err
    assert result.out.strip()

    stored = await _memgrid(stack, "messages", "list", "--user", user, "--session", "c")
    turns = json.loads(stored.out)["messages"]
    assert [t["role"] for t in turns] == ["ROLE_USER", "ROLE_ASSISTANT"]
    assert turns[1]["content"].strip() == result.out.strip()
