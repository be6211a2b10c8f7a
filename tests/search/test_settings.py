"""Search settings read from the environment: fusion and its weights."""

from __future__ import annotations

import pytest
from memgrid_runtime.settings import Env, SettingsError

from services.search.retrieval import Fusion
from services.search.settings import SearchSettings


def test_fusion_defaults_to_relative_scores_with_dense_ahead() -> None:
    weights = SearchSettings.from_env(Env({})).weights
    assert weights.fusion is Fusion.RELATIVE_SCORE
    assert weights.dense_weight > weights.sparse_weight > 0


def test_operator_can_choose_rrf_and_its_weights() -> None:
    weights = SearchSettings.from_env(
        Env(
            {
                "MEMGRID_SEARCH_FUSION": "RRF",
                "MEMGRID_SEARCH_RRF_K": "60",
                "MEMGRID_SEARCH_DENSE_WEIGHT": "1",
                "MEMGRID_SEARCH_SPARSE_WEIGHT": "0.5",
            }
        )
    ).weights
    assert weights.fusion is Fusion.RRF
    assert (weights.rrf_k, weights.dense_weight, weights.sparse_weight) == (60, 1.0, 0.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MEMGRID_SEARCH_FUSION", "borda"),
        ("MEMGRID_SEARCH_SPARSE_WEIGHT", "-0.1"),
        ("MEMGRID_SEARCH_RRF_K", "0"),
    ],
)
def test_bad_fusion_settings_fail_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        SearchSettings.from_env(Env({name: value}))
