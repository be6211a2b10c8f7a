"""API key authentication: every public call carries a key that names its tenant, and
optionally the one user of that tenant the key acts for (an end-user key)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc
from memgrid_runtime.errors import Unauthenticated
from memgrid_runtime.settings import SettingsError

API_KEY_HEADER = "x-api-key"
# "tenant/user" binds a key to one user; "/" cannot occur in an id (ids are A-Z a-z 0-9
# . _ : @ -), so the split is never ambiguous.
USER_SEPARATOR = "/"


@dataclass(frozen=True)
class Caller:
    """Who a call acts for: a tenant, and for an end-user key the one user it may name."""

    tenant: str
    # None: a service key, which may name any user of the tenant.
    user_id: str | None = None

    @classmethod
    def from_entry(cls, entry: str) -> Caller:
        """An API key entry's caller: "tenant", or "tenant/user" for an end-user key."""
        tenant, sep, user = entry.partition(USER_SEPARATOR)
        if not tenant.strip() or (sep and not user.strip()):
            raise SettingsError(f"API key entry {entry!r} must be tenant or tenant/user")
        return cls(tenant.strip(), user.strip() if sep else None)


class ApiKeys:
    """Maps API keys to callers. Keys are kept only as SHA-256 digests."""

    def __init__(self, tenant_by_key: Mapping[str, str]) -> None:
        if not tenant_by_key:
            raise SettingsError(
                "no API keys configured: set MEMGRID_API_KEYS=key=tenant[,key=tenant...] "
                "or MEMGRID_API_KEYS_FILE"
            )
        self._caller_by_digest = {
            _digest(key): Caller.from_entry(entry) for key, entry in tenant_by_key.items()
        }

    @classmethod
    def parse(cls, spec: str) -> dict[str, str]:
        """Parses "key=tenant,key2=tenant2/user" (the MEMGRID_API_KEYS format; a key bound
        to one user names tenant/user)."""
        pairs: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, tenant = item.partition("=")
            if not sep or not key.strip() or not tenant.strip():
                raise SettingsError("MEMGRID_API_KEYS entries must look like key=tenant")
            pairs[key.strip()] = tenant.strip()
        return pairs

    @classmethod
    def load_file(cls, path: Path) -> dict[str, str]:
        """Reads a JSON object {"key": "tenant" or "tenant/user", ...} (the
        MEMGRID_API_KEYS_FILE format)."""
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SettingsError(f"MEMGRID_API_KEYS_FILE={path}: {exc}") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in data.items()
        ):
            raise SettingsError(
                f"MEMGRID_API_KEYS_FILE={path} must be a JSON object of key: tenant"
            )
        return data

    def caller_of(self, context: grpc.aio.ServicerContext) -> Caller:
        """The caller, from "x-api-key: K" or "authorization: Bearer K".

        A call carries exactly one credential: with two (both headers, or one repeated),
        which one names the caller would be up to the order proxies keep, so it is refused.
        """
        keys: list[str] = []
        for name, value in context.invocation_metadata() or ():
            if name == API_KEY_HEADER:
                keys.append(str(value))
            elif name == "authorization" and isinstance(value, str):
                scheme, _, token = value.partition(" ")
                if scheme.lower() == "bearer":
                    keys.append(token.strip())
        if len(keys) > 1:
            raise Unauthenticated(
                f"{len(keys)} credentials in one call: send one API key, either in"
                f" {API_KEY_HEADER!r} or as 'authorization: Bearer <key>'",
                reason="API_KEY_AMBIGUOUS",
            )
        key = keys[0] if keys else None
        if not key:
            raise Unauthenticated(
                f"missing API key: send it in the {API_KEY_HEADER!r} metadata entry",
                reason="API_KEY_MISSING",
            )
        caller = self._caller_by_digest.get(_digest(key))
        if caller is None:
            raise Unauthenticated("unknown API key", reason="API_KEY_INVALID")
        return caller


def _digest(key: str) -> bytes:
    # Only digests are kept, so raw keys never sit in memory; a dict lookup by digest leaks
    # nothing about the key through timing, unlike comparing raw strings.
    return hashlib.sha256(key.encode()).digest()
