"""Search settings read from the environment: fusion and its weights, the embedder."""

from __future__ import annotations

import pytest
from memgrid_runtime.settings import Env, SettingsError

from services.search.retrieval import Fusion, RankWeights
from services.search.settings import SearchSettings


def test_settings_default_to_the_retrievers_defaults() -> None:
    weights = SearchSettings.from_env(Env({})).weights
    assert weights == RankWeights()
    assert weights.fusion is Fusion.RELATIVE_SCORE
    assert weights.sparse_weight > weights.dense_weight > weights.graph_weight > 0
    assert SearchSettings.from_env(Env({})).graph_target is None


def test_neighbour_spreading_and_graph_are_configurable() -> None:
    settings = SearchSettings.from_env(
        Env(
            {
                "MEMGRID_SEARCH_NEIGHBOUR_WEIGHTS": "0.5, 0.2, 0.1",
                "MEMGRID_SEARCH_GRAPH_WEIGHT": "0",
                "MEMGRID_GRAPH_TARGET": "graph:50054",
            }
        )
    )
    assert settings.weights.neighbour_weights == (0.5, 0.2, 0.1)
    assert settings.weights.graph_weight == 0.0
    assert settings.graph_target == "graph:50054"
    off = SearchSettings.from_env(Env({"MEMGRID_SEARCH_NEIGHBOUR_WEIGHTS": "none"}))
    assert off.weights.neighbour_weights == ()


def test_onnx_threads_sleep_between_runs_unless_told_to_spin() -> None:
    assert SearchSettings.from_env(Env({})).embedder.onnx.spinning is False
    spinning = SearchSettings.from_env(Env({"MEMGRID_SEARCH_ONNX_SPINNING": "true"}))
    assert spinning.embedder.onnx.spinning is True
    with pytest.raises(SettingsError, match="MEMGRID_SEARCH_ONNX_SPINNING"):
        SearchSettings.from_env(Env({"MEMGRID_SEARCH_ONNX_SPINNING": "sometimes"}))


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
        ("MEMGRID_SEARCH_NEIGHBOUR_WEIGHTS", "0.3,lots"),
        ("MEMGRID_SEARCH_NEIGHBOUR_WEIGHTS", "1.5"),
        ("MEMGRID_SEARCH_TEMPORAL_WEIGHT", "-1"),
    ],
)
def test_bad_fusion_settings_fail_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        SearchSettings.from_env(Env({name: value}))
