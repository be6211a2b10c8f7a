"""Options shared by the whole test suite."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("memgrid")
    group.addoption(
        "--memgrid-address",
        default=None,
        help="run the e2e suite against a deployed gateway (host:port) instead of starting one",
    )
    group.addoption(
        "--memgrid-api-keys",
        default=None,
        help="with --memgrid-address: two API keys of two different tenants, as KEY_A,KEY_B",
    )
