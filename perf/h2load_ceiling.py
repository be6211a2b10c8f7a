"""The raw gRPC ceiling of this machine, measured with h2load against perf/echo_server.py.

    python -m perf.h2load_ceiling [--requests 50000] [--clients 4] [--streams 32] [--json PATH]

h2load speaks plain HTTP/2, so the request body is a pre-encoded gRPC message: the 5-byte
length-prefixed frame (a 0 "uncompressed" flag, then the payload's length, big-endian)
around 64 raw bytes, which the echo server returns unchanged. This is the figure every
gateway benchmark is read against: no interceptors, no protobuf, no work, and h2load is a
C client, so it is not the bottleneck that a Python load generator would be. --json PATH
also writes the figure as a perf/report.py row (section "ceiling").
"""

from __future__ import annotations

import argparse
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from memgrid_suite.launcher import free_port

from perf.report import Row, write_json

PAYLOAD = b"x" * 64
SECTION = "ceiling"
_FINISHED = re.compile(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s")
_REQUESTS = re.compile(
    r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
    r"(\d+) errored, (\d+) timeout"
)
_REQUEST_TIME = re.compile(
    r"time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)"
)
_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class CeilingResult:
    requests: int
    succeeded: int
    failed: int
    per_second: float
    mean_ms: float

    def row(self) -> str:
        return (
            f"{'h2load echo':<16} {self.per_second:>9,.0f} req/s  mean {self.mean_ms:6.2f} ms  "
            f"requests {self.requests:>7}  failed {self.failed}"
        )


def grpc_frame(payload: bytes) -> bytes:
    """One uncompressed gRPC length-prefixed message."""
    return struct.pack(">BI", 0, len(payload)) + payload


@contextmanager
def echo_server() -> Iterator[int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "perf.echo_server", str(port)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != b"ready":
            raise RuntimeError("perf.echo_server did not start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def parse(output: str) -> CeilingResult:
    finished = _FINISHED.search(output)
    counts = _REQUESTS.search(output)
    if finished is None or counts is None:
        raise RuntimeError(f"unexpected h2load output:\n{output}")
    timing = _REQUEST_TIME.search(output)
    mean_ms = float(timing.group(5)) * _TO_MS[timing.group(6)] if timing else 0.0
    total, _started, _done, succeeded, failed, errored, timeout = map(int, counts.groups())
    return CeilingResult(
        requests=total,
        succeeded=succeeded,
        failed=failed + errored + timeout,
        per_second=float(finished.group(3)),
        mean_ms=mean_ms,
    )


def measure(requests: int = 50_000, clients: int = 4, streams: int = 32) -> CeilingResult:
    h2load = shutil.which("h2load")
    if h2load is None:
        raise RuntimeError("h2load not found: run scripts/perf-tools")
    with tempfile.TemporaryDirectory() as scratch, echo_server() as port:
        body = Path(scratch) / "echo-request.bin"
        body.write_bytes(grpc_frame(PAYLOAD))
        completed = subprocess.run(
            [
                h2load,
                f"--requests={requests}",
                f"--clients={clients}",
                f"--max-concurrent-streams={streams}",
                "--threads=1",
                f"--data={body}",
                "--header=content-type: application/grpc",
                "--header=te: trailers",
                f"http://127.0.0.1:{port}/bench.Echo/Echo",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        raise RuntimeError(f"h2load failed ({completed.returncode}): {completed.stderr}")
    return parse(completed.stdout)


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--streams", type=int, default=32)
    parser.add_argument("--json", type=Path, help="also write the figure here as a row")
    args = parser.parse_args()
    result = measure(args.requests, args.clients, args.streams)
    print(result.row())
    rows = [
        Row(
            SECTION,
            f"h2load echo, raw HTTP/2 ({args.clients} clients x {args.streams} streams)",
            f"{result.per_second:,.0f} req/s, mean {result.mean_ms:.2f} ms, "
            f"failed {result.failed} of {result.requests:,}",
        )
    ]
    if args.json:
        write_json(rows, args.json)
    return rows


if __name__ == "__main__":
    main()
