"""`make run` (python -m memgrid_suite): every service comes up, and Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from memgrid_suite.launcher import SERVICES, free_port

REPO = Path(__file__).resolve().parents[2]


def test_make_run_serves_every_service_and_ctrl_c_stops_them_all(tmp_path: Path) -> None:
    # Free ports instead of the well-known ones, which a developer's own `make run` may hold.
    ports = {}
    for spec in SERVICES:
        ports[spec.env_prefix + "PORT"] = str(free_port())
        ports[spec.env_prefix + "METRICS_PORT"] = str(free_port())
    launcher = subprocess.Popen(
        [sys.executable, "-m", "memgrid_suite", "--data-dir", str(tmp_path / "run")],
        cwd=REPO,
        env={**os.environ, **ports, "OTEL_SDK_DISABLED": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        assert launcher.stdout is not None
        deadline = time.monotonic() + 100
        while time.monotonic() < deadline:
            line = launcher.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("memgrid: ready."):
                break
        assert lines and lines[-1].startswith("memgrid: ready."), "".join(lines[-20:])
        serving = {line.split()[1] for line in lines if " SERVING on " in line}
        assert serving == {spec.name for spec in SERVICES}

        launcher.send_signal(signal.SIGINT)  # Ctrl-C
        # More processes than the default executor has threads (2 cores + 4): a stop that
        # waited on one thread per process hung here.
        out, _ = launcher.communicate(timeout=60)
        assert launcher.returncode == 0, out
        assert out.rstrip().endswith("memgrid: stopped")
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
    # No service outlived the launcher: they were in its session, and the group is empty.
    survivors = subprocess.run(
        ["pgrep", "-s", str(launcher.pid)], capture_output=True, text=True, check=False
    )
    assert survivors.stdout == ""
