"""A write loop for the crash-safety test, run as a child process until it is SIGKILLed.

Each iteration creates a batch of three memories, updates one memory of the previous
batch and appends two turns to a session. A line of JSON goes to stdout after each write
returns, and only then: a printed line is an acknowledged write.

    python -m tests.memory_store.crash_writer sqlite PATH
    python -m tests.memory_store.crash_writer postgres DSN SCHEMA
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from memgrid.common.v1 import memory_pb2 as mpb

from services.memory_store.store.config import StoreConfig
from tests.memory_store.support import (
    TENANT,
    StoreLocation,
    append_request,
    create_request,
    new_memory,
    open_store_at,
)

BATCH_SIZE = 3
SESSION = "crash-session"


def acknowledge(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


async def write_forever(location: StoreLocation) -> None:
    store = await open_store_at(location, StoreConfig())
    acknowledge(op="ready")
    previous: list[mpb.Memory] = []
    batch = 0
    while True:
        created = await store.create_memories(
            create_request(
                *(
                    new_memory(f"batch {batch} item {item}", metadata={"batch": str(batch)})
                    for item in range(BATCH_SIZE)
                ),
                idempotency_key=f"batch-{batch}",
            )
        )
        acknowledge(op="create", batch=batch, ids=[m.id for m in created.memories])
        if previous:
            updated = await store.update_memory(
                TENANT, previous[0].id, mpb.MemoryUpdate(content=f"updated {batch}"), ["content"]
            )
            acknowledge(op="update", id=updated.id, version=updated.version)
        appended = await store.append_messages(
            append_request(f"question {batch}", f"answer {batch}", session_id=SESSION)
        )
        acknowledge(op="append", ids=[m.id for m in appended.memories])
        previous = list(created.memories)
        batch += 1


def main(arguments: list[str]) -> None:
    backend, *target = arguments
    if backend == "sqlite":
        location = StoreLocation(backend, sqlite_path=Path(target[0]))
    else:
        location = StoreLocation(backend, postgres_dsn=target[0], postgres_schema=target[1])
    asyncio.run(write_forever(location))


if __name__ == "__main__":
    main(sys.argv[1:])
