"""memory-store: the system of record for memories, their history, cubes and the outbox."""
