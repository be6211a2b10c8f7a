"""Whether the gateway can be reached, asked before a command's first call.

A call to an unreachable gateway is UNAVAILABLE, which the SDK retries until the command's
whole timeout is spent. The CLI asks the channel first: a refused connection shows at once
(the channel goes to TRANSIENT_FAILURE), an address that never answers after
--connect-timeout.
"""

from __future__ import annotations

import queue
import time

import grpc

from memgrid_client.connection import open_channel


def unreachable_reason(address: str, timeout_seconds: float) -> str | None:
    """None once a connection to address is up; else what went wrong."""
    states: queue.Queue[grpc.ChannelConnectivity] = queue.Queue()
    channel = open_channel(address, None)
    channel.subscribe(states.put, try_to_connect=True)
    deadline = time.monotonic() + timeout_seconds
    try:
        while True:
            try:
                state = states.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return f"no connection within {timeout_seconds:g} s"
            if state == grpc.ChannelConnectivity.READY:
                return None
            if state == grpc.ChannelConnectivity.TRANSIENT_FAILURE:
                return "the connection failed"
    finally:
        channel.unsubscribe(states.put)
        channel.close()
