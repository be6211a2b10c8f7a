"""CPU time and memory of process trees, from /proc: what a process and all its descendants
have used.

A service's cost is its own process plus what it runs: FalkorDB's redis-server is a child
of graph, and children that have exited and been reaped still count (cutime, cstime).
Resolution is the kernel's clock tick (10 ms at the usual 100 Hz), so a figure per call
wants a few seconds of CPU behind it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from memgrid_suite.launcher import Suite

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, CPU ticks of the process and of its reaped children)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; the fields follow the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
        table[int(entry.name)] = (int(fields[1]), utime + stime + cutime + cstime)
    return table


def cpu_seconds_of_trees(roots: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named root pid and its descendants, read at one moment."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    return {
        name: sum(table.get(pid, (0, 0))[1] for pid in _descendants(root, children)) / CLOCK_TICKS
        for name, root in roots.items()
    }


def cpu_seconds_by_service(suite: Suite) -> dict[str, float]:
    """CPU seconds so far of each running service's process tree."""
    return cpu_seconds_of_trees({name: s.process.pid for name, s in suite.running.items()})


def _descendants(root: int, children: Mapping[int, list[int]]) -> list[int]:
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _rss_kib(pid: int, field: str) -> int:
    try:
        status = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0  # a kernel thread or a zombie


def rss_mb_of_trees(roots: Mapping[str, int], field: str = "VmRSS") -> dict[str, float]:
    """Resident memory (MiB) now of each named root pid and its live descendants: all of it
    (VmRSS), or field="RssAnon" for the private part (not the mapped files' pages, which
    the kernel can drop)."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in _process_table().items():
        children.setdefault(ppid, []).append(pid)
    return {
        name: sum(_rss_kib(pid, field) for pid in _descendants(root, children)) / 1024
        for name, root in roots.items()
    }
