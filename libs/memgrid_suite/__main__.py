"""`make run`: the whole suite on its embedded defaults, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from memgrid_client.client import DEV_API_KEY

from memgrid_suite.launcher import Suite, SuiteError

# How soon a crashed service is noticed (a poll per process, no thread per process).
_CRASH_POLL_SECONDS = 0.5


async def main(data_dir: Path) -> int:
    suite = Suite(data_dir=data_dir)
    # Before anything starts: a Ctrl-C that came before the handlers did would raise
    # KeyboardInterrupt in the loop and leave the services running.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await suite.start()
    except SuiteError as exc:
        print(f"memgrid: {exc}", flush=True)
        return 1
    for name, service in suite.running.items():
        print(
            f"memgrid: {name:<13} SERVING on {service.address} after "
            f"{service.serving_after_seconds:.2f}s (metrics :{service.metrics_port})",
            flush=True,
        )
    rest = f", REST http://{suite.address_of('rest')}" if "rest" in suite.running else ""
    mcp = f", MCP http://{suite.address_of('mcp')}/mcp" if "mcp" in suite.running else ""
    print(
        f"memgrid: ready. Gateway {suite.gateway_address}{rest}{mcp}, API key {DEV_API_KEY!r} "
        f"(try: .venv/bin/memgrid add --user alice 'I live in Paris'). Ctrl-C stops.",
        flush=True,
    )
    code = 0
    while not stop.is_set():
        crashed = [n for n, s in suite.running.items() if s.process.poll() is not None]
        if crashed:
            print(
                f"memgrid: {', '.join(crashed)} exited unexpectedly; stopping the suite",
                flush=True,
            )
            code = 1
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=_CRASH_POLL_SECONDS)
    print("memgrid: stopping", flush=True)
    await suite.stop()
    print("memgrid: stopped", flush=True)
    return code


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m memgrid_suite", description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, default=Path("var/run"), help="where stores persist"
    )
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.data_dir)))


if __name__ == "__main__":
    cli()
