"""The memgrid CLI drives the gateway: add, get, list, delete, erase a user, and jobs get /
retry."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid


async def _memgrid(stack, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "MEMGRID_ADDRESS": stack.address, "MEMGRID_API_KEY": stack.key_a}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from memgrid_client.cli import main; main()",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_cli_add_get_list_delete(stack):
    user = f"cli-{uuid.uuid4().hex[:8]}"
    code, out, err = await _memgrid(stack, "add", "--user", user, "I like green tea")
    assert code == 0, err
    memory_id = json.loads(out)["id"]

    code, out, _ = await _memgrid(stack, "get", memory_id)
    assert json.loads(out)["content"] == "I like green tea"

    code, out, _ = await _memgrid(stack, "list", "--user", user)
    assert [m["id"] for m in json.loads(out)["memories"]] == [memory_id]

    code, _, _ = await _memgrid(stack, "delete", memory_id)
    assert code == 0
    code, _, err = await _memgrid(stack, "get", memory_id)
    assert code == 1
    assert "NOT_FOUND" in err


async def test_cli_reports_bad_input_with_the_field(stack):
    code, _, err = await _memgrid(stack, "add", "--user", "has space", "x")
    assert code == 1
    assert "INVALID_ARGUMENT" in err
    assert "memories[0].scope.user_id" in err


async def test_cli_erases_a_user_and_prints_the_receipt(stack):
    user = f"cli-{uuid.uuid4().hex[:8]}"
    for content in ("I like green tea", "I live in Oslo"):
        code, _, err = await _memgrid(stack, "add", "--user", user, content)
        assert code == 0, err

    code, out, err = await _memgrid(stack, "erase-user", "--user", user)

    assert code == 0, err
    receipt = json.loads(out)
    assert receipt["user_id"] == user
    assert int(receipt["memories_deleted"]) == 2
    code, out, _ = await _memgrid(stack, "list", "--user", user)
    assert json.loads(out).get("memories", []) == []


async def test_cli_shows_a_job_and_retries_only_a_dead_one(stack, client_a):
    started = await client_a.consolidate(f"cli-{uuid.uuid4().hex[:8]}")
    unknown = "01a1f000-0000-7000-8000-000000000000"

    code, out, err = await _memgrid(stack, "jobs", "get", started.job_id)
    assert code == 0, err
    assert json.loads(out)["topic"] == "consolidation.requested"
    code, _, err = await _memgrid(stack, "jobs", "retry", started.job_id)
    assert code == 1 and "FAILED_PRECONDITION" in err and "is not dead" in err
    code, _, err = await _memgrid(stack, "jobs", "retry", unknown)
    assert code == 1 and "NOT_FOUND" in err
