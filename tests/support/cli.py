"""Runs the `memgrid` CLI as its own process, as a user's shell would."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


async def run_cli(
    address: str, api_key: str, *args: str, stdin: str | None = None, cwd: str | None = None
) -> CliResult:
    env = {**os.environ, "MEMGRID_ADDRESS": address, "MEMGRID_API_KEY": api_key}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from memgrid_client.cli import main; main()",
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(stdin.encode() if stdin is not None else None)
    return CliResult(process.returncode or 0, out.decode(), err.decode())
