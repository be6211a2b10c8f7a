"""What the client tests share: the repository root and the running suite they talk to."""

from __future__ import annotations

import re
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from memgrid_suite.launcher import Suite

REPO = Path(__file__).resolve().parent.parent.parent
KEY_A = "clients-key-tenant-a"
KEY_B = "clients-key-tenant-b"


@dataclass(frozen=True)
class ClientStack:
    suite: Suite
    key_a: str
    key_b: str

    @property
    def address(self) -> str:
        return self.suite.gateway_address

    def gateway_rpcs_settled(self, method: str, code: str, at_least: float) -> float:
        """gateway_rpcs once it reaches at_least (or after 3 s), read again a moment later.

        The gateway records a call just after it sends the status, so a client that has
        its answer can still read a count that lags by its own last attempt."""
        deadline = time.monotonic() + 3.0
        while self.gateway_rpcs(method, code) < at_least and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        return self.gateway_rpcs(method, code)

    def gateway_rpcs(self, method: str, code: str) -> float:
        """How many `method` calls the gateway has answered with `code` so far (its
        Prometheus histogram), so a test can count the attempts a client really made."""
        port = self.suite.running["gateway"].metrics_port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
            text = reply.read().decode()
        pattern = re.compile(
            r"^memgrid_rpc_server_duration_seconds_count\{(?P<labels>[^}]*)\} (?P<value>\S+)$",
            re.MULTILINE,
        )
        total = 0.0
        for match in pattern.finditer(text):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match["labels"]))
            if labels.get("method", "").endswith("/" + method) and labels.get("code") == code:
                total += float(match["value"])
        return total
