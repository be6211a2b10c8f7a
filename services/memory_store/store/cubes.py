"""Cubes (MemOS's MemCube): named memory containers a user owns and may share read-only."""

from __future__ import annotations

from collections.abc import Iterable

from memgrid.common.v1 import memory_pb2
from memgrid_runtime.errors import AlreadyExists, NotFound, PermissionDenied

from .clock import timestamp_from_micros
from .database import Row, Transaction, placeholders

_CUBE = "cube"


async def create_cube(
    tx: Transaction,
    tenant_id: str,
    cube_id: str,
    owner_user_id: str,
    name: str,
    description: str,
    now_us: int,
) -> memory_pb2.Cube:
    inserted = await tx.fetch_one(
        "INSERT INTO cubes (tenant_id, cube_id, owner_user_id, name, description, created_at_us)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, cube_id) DO NOTHING"
        " RETURNING cube_id",
        (tenant_id, cube_id, owner_user_id, name, description, now_us),
    )
    if inserted is None:
        raise AlreadyExists(_CUBE, cube_id)
    return await require_cube(tx, tenant_id, cube_id)


async def require_cube(tx: Transaction, tenant_id: str, cube_id: str) -> memory_pb2.Cube:
    cubes = await _load_cubes(tx, tenant_id, "c.cube_id = ?", [cube_id])
    if not cubes:
        raise NotFound(_CUBE, cube_id)
    return cubes[0]


async def list_cubes(tx: Transaction, tenant_id: str, user_id: str) -> list[memory_pb2.Cube]:
    return await _load_cubes(
        tx,
        tenant_id,
        "(c.owner_user_id = ? OR EXISTS (SELECT 1 FROM cube_readers r"
        " WHERE r.tenant_id = c.tenant_id AND r.cube_id = c.cube_id AND r.reader_user_id = ?))",
        [user_id, user_id],
    )


async def share_cube(
    tx: Transaction,
    tenant_id: str,
    cube_id: str,
    owner_user_id: str,
    reader_user_id: str,
    now_us: int,
) -> memory_pb2.Cube:
    await _require_owner(tx, tenant_id, cube_id, owner_user_id)
    await tx.execute(
        "INSERT INTO cube_readers (tenant_id, cube_id, reader_user_id, granted_at_us)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, cube_id, reader_user_id) DO NOTHING",
        (tenant_id, cube_id, reader_user_id, now_us),
    )
    return await require_cube(tx, tenant_id, cube_id)


async def unshare_cube(
    tx: Transaction, tenant_id: str, cube_id: str, owner_user_id: str, reader_user_id: str
) -> memory_pb2.Cube:
    await _require_owner(tx, tenant_id, cube_id, owner_user_id)
    await tx.execute(
        "DELETE FROM cube_readers WHERE tenant_id = ? AND cube_id = ? AND reader_user_id = ?",
        (tenant_id, cube_id, reader_user_id),
    )
    return await require_cube(tx, tenant_id, cube_id)


async def require_writable(
    tx: Transaction, tenant_id: str, writes: Iterable[tuple[str, str]]
) -> None:
    """Every (cube_id, user_id) write must go to an existing cube that user owns."""
    owners = await _owners(tx, tenant_id, {cube_id for cube_id, _ in writes})
    for cube_id, user_id in sorted(set(writes)):
        if cube_id not in owners:
            raise NotFound(_CUBE, cube_id)
        if owners[cube_id] != user_id:
            raise PermissionDenied(
                _CUBE, cube_id, f"user {user_id!r} may not write to cube {cube_id!r}"
            )


async def require_readable(
    tx: Transaction, tenant_id: str, cube_ids: Iterable[str], reader_user_id: str
) -> None:
    """Every cube must exist and be owned by or shared with the reader."""
    wanted = sorted(set(cube_ids))
    owners = await _owners(tx, tenant_id, set(wanted))
    granted = {
        row[0]
        for row in await tx.fetch_all(
            f"SELECT cube_id FROM cube_readers WHERE tenant_id = ? AND reader_user_id = ?"
            f" AND cube_id IN ({placeholders(len(wanted))})",
            (tenant_id, reader_user_id, *wanted),
        )
    }
    for cube_id in wanted:
        if cube_id not in owners:
            raise NotFound(_CUBE, cube_id)
        if owners[cube_id] != reader_user_id and cube_id not in granted:
            raise PermissionDenied(
                _CUBE, cube_id, f"user {reader_user_id!r} may not read cube {cube_id!r}"
            )


async def require_existing(tx: Transaction, tenant_id: str, cube_ids: Iterable[str]) -> None:
    wanted = set(cube_ids)
    owners = await _owners(tx, tenant_id, wanted)
    missing = sorted(wanted - owners.keys())
    if missing:
        raise NotFound(_CUBE, missing[0])


async def _require_owner(tx: Transaction, tenant_id: str, cube_id: str, owner_user_id: str) -> None:
    owners = await _owners(tx, tenant_id, {cube_id})
    if cube_id not in owners:
        raise NotFound(_CUBE, cube_id)
    if owners[cube_id] != owner_user_id:
        raise PermissionDenied(
            _CUBE, cube_id, f"only the owner of cube {cube_id!r} may change who reads it"
        )


async def _owners(tx: Transaction, tenant_id: str, cube_ids: set[str]) -> dict[str, str]:
    if not cube_ids:
        return {}
    wanted = sorted(cube_ids)
    rows = await tx.fetch_all(
        f"SELECT cube_id, owner_user_id FROM cubes WHERE tenant_id = ?"
        f" AND cube_id IN ({placeholders(len(wanted))})",
        (tenant_id, *wanted),
    )
    return {cube_id: owner for cube_id, owner in rows}


async def _load_cubes(
    tx: Transaction, tenant_id: str, condition: str, params: list[str]
) -> list[memory_pb2.Cube]:
    rows = await tx.fetch_all(
        "SELECT c.cube_id, c.owner_user_id, c.name, c.description, c.created_at_us"
        f" FROM cubes c WHERE c.tenant_id = ? AND {condition}"
        " ORDER BY c.created_at_us, c.cube_id",
        (tenant_id, *params),
    )
    if not rows:
        return []
    cube_ids = [row[0] for row in rows]
    readers: dict[str, list[str]] = {cube_id: [] for cube_id in cube_ids}
    for cube_id, reader in await tx.fetch_all(
        f"SELECT cube_id, reader_user_id FROM cube_readers WHERE tenant_id = ?"
        f" AND cube_id IN ({placeholders(len(cube_ids))}) ORDER BY reader_user_id",
        (tenant_id, *cube_ids),
    ):
        readers[cube_id].append(reader)
    return [_cube_from_row(row, readers[row[0]]) for row in rows]


def _cube_from_row(row: Row, readers: list[str]) -> memory_pb2.Cube:
    cube_id, owner_user_id, name, description, created_at_us = row
    return memory_pb2.Cube(
        cube_id=cube_id,
        owner_user_id=owner_user_id,
        name=name,
        description=description,
        reader_user_ids=readers,
        created_at=timestamp_from_micros(created_at_us),
    )
