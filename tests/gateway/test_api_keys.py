"""API key entries: a tenant, or a tenant and the one user an end-user key acts for."""

from __future__ import annotations

import pytest
from memgrid_runtime.settings import SettingsError

from gateway.auth import ApiKeys, Caller


def test_entries_name_a_tenant_or_a_tenant_and_a_user() -> None:
    parsed = ApiKeys.parse("k1=acme, k2=acme/alice")
    assert {key: Caller.from_entry(entry) for key, entry in parsed.items()} == {
        "k1": Caller("acme"),
        "k2": Caller("acme", "alice"),
    }


@pytest.mark.parametrize("entry", ["acme/", "/alice", " / "])
def test_an_entry_with_half_a_binding_is_refused(entry: str) -> None:
    with pytest.raises(SettingsError, match="tenant/user"):
        ApiKeys({"key": entry})
