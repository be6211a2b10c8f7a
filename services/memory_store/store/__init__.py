"""Storage of memories behind one interface, with SQLite and PostgreSQL backends."""
