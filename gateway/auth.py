"""API key authentication: every public call carries a key that names its tenant."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import grpc
from memgrid_runtime.errors import Unauthenticated
from memgrid_runtime.settings import SettingsError

API_KEY_HEADER = "x-api-key"


class ApiKeys:
    """Maps API keys to tenants. Keys are kept only as SHA-256 digests."""

    def __init__(self, tenant_by_key: Mapping[str, str]) -> None:
        if not tenant_by_key:
            raise SettingsError(
                "no API keys configured: set MEMGRID_API_KEYS=key=tenant[,key=tenant...] "
                "or MEMGRID_API_KEYS_FILE"
            )
        self._tenant_by_digest = {_digest(key): tenant for key, tenant in tenant_by_key.items()}

    @classmethod
    def parse(cls, spec: str) -> dict[str, str]:
        """Parses "key=tenant,key2=tenant2" (the MEMGRID_API_KEYS format)."""
        pairs: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, tenant = item.partition("=")
            if not sep or not key.strip() or not tenant.strip():
                raise SettingsError("MEMGRID_API_KEYS entries must look like key=tenant")
            pairs[key.strip()] = tenant.strip()
        return pairs

    @classmethod
    def load_file(cls, path: Path) -> dict[str, str]:
        """Reads a JSON object {"key": "tenant", ...} (the MEMGRID_API_KEYS_FILE format)."""
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

    def tenant_of(self, context: grpc.aio.ServicerContext) -> str:
        """The caller's tenant, from "x-api-key: K" or "authorization: Bearer K".

        A call carries exactly one credential: with two (both headers, or one repeated),
        which one names the tenant would be up to the order proxies keep, so it is refused.
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
        tenant = self._tenant_by_digest.get(_digest(key))
        if tenant is None:
            raise Unauthenticated("unknown API key", reason="API_KEY_INVALID")
        return tenant


def _digest(key: str) -> bytes:
    # Only digests are kept, so raw keys never sit in memory; a dict lookup by digest leaks
    # nothing about the key through timing, unlike comparing raw strings.
    return hashlib.sha256(key.encode()).digest()
