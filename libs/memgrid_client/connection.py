"""Where a client finds the gateway and the gRPC channel it opens to it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import grpc

DEFAULT_ADDRESS = "127.0.0.1:50051"
# The key `make run` configures, so a developer can try the SDK without setting one up.
DEV_API_KEY = "memgrid-dev-key"
# Search results and batch reads can be large; the gateway accepts up to this much.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def address_and_key_from_env(environ: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """MEMGRID_ADDRESS and MEMGRID_API_KEY, defaulting to what `make run` serves."""
    return (
        environ.get("MEMGRID_ADDRESS") or DEFAULT_ADDRESS,
        environ.get("MEMGRID_API_KEY") or DEV_API_KEY,
    )


def open_channel(address: str, credentials: grpc.ChannelCredentials | None) -> grpc.Channel:
    if credentials is None:
        return grpc.insecure_channel(address, options=_options())
    return grpc.secure_channel(address, credentials, options=_options())


def open_aio_channel(address: str, credentials: grpc.ChannelCredentials | None) -> grpc.aio.Channel:
    if credentials is None:
        return grpc.aio.insecure_channel(address, options=_options())
    return grpc.aio.secure_channel(address, credentials, options=_options())


def _sdk_version() -> str:
    # The SDK ships alone (memgrid-client) and inside the suite's own package (memgrid).
    for distribution in ("memgrid-client", "memgrid"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return "dev"


def _options() -> list[tuple[str, Any]]:
    return [
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        # Lets operators tell SDK traffic and its version apart in the gateway's logs.
        ("grpc.primary_user_agent", f"memgrid-python/{_sdk_version()}"),
        # Keeps a long-lived client's idle connection alive through NAT/conntrack timeouts.
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.keepalive_permit_without_calls", 1),
        # gRPC's reconnect backoff grows to 120 s by default, so a client would stay cut off
        # long after a restarted gateway is back, and the SDK's retries would be wasted.
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 2_000),
    ]
