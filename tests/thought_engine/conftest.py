"""Fixtures for the thought-engine tests: the real local LLM server, when there is one."""

from __future__ import annotations

import os
import socket
import urllib.request
from typing import NoReturn

import pytest

_START_HINT = (
    "start the local LLM server with "
    '`export MEMGRID_TEST_LLM_URL="$(scripts/llm-test-server start)"` '
    "(the first start on a machine compiles llama-cpp-python: 7-9 min on 2 cores)"
)


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must {_START_HINT}")
    pytest.skip(f"{reason}; {_START_HINT}")


@pytest.fixture(scope="session")
def llm_base_url() -> str:
    """Base URL (…/v1) of a running OpenAI-compatible server, read from MEMGRID_TEST_LLM_URL."""
    url = os.environ.get("MEMGRID_TEST_LLM_URL", "").rstrip("/")
    if not url:
        _missing("MEMGRID_TEST_LLM_URL is not set")
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=5) as response:
            if response.status != 200:
                _missing(f"{url}/models answered HTTP {response.status}")
    except OSError as error:
        _missing(f"the LLM server at {url} does not answer ({error})")
    return url


@pytest.fixture
def closed_port_url() -> str:
    """A base URL on which nothing listens, so any call to it fails to connect."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
