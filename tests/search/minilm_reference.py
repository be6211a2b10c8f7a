"""A plain numpy forward pass of BERT + mean pooling: the yardstick for the ONNX graph.

Written independently of the graph builder (straight from the BERT paper's equations and
the torch weight layout), so that a mistake in one does not hide in the other.
"""

from __future__ import annotations

import json
from math import erf, sqrt
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

_erf = np.vectorize(erf, otypes=[np.float64])


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


class ReferenceMiniLM:
    def __init__(self, model_dir: Path) -> None:
        self.w = {
            k: v.astype(np.float64)
            for k, v in load_file(str(model_dir / "model.safetensors")).items()
        }
        config = json.loads((model_dir / "config.json").read_text())
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config["layer_norm_eps"]
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(256)

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def embed_one(self, text: str) -> np.ndarray:
        ids = np.array(self.tokenizer.encode(text).ids)
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(len(ids))]
            + w["embeddings.token_type_embeddings.weight"][np.zeros(len(ids), dtype=int)]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        seq, hidden = x.shape
        head_dim = hidden // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q, k, v = (
                self._dense(x, f"{p}.attention.self.{n}")
                .reshape(seq, self.heads, head_dim)
                .transpose(1, 0, 2)
                for n in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 2, 1) / sqrt(head_dim)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probs = scores / scores.sum(-1, keepdims=True)
            context = (probs @ v).transpose(1, 0, 2).reshape(seq, hidden)
            x = _layer_norm(
                self._dense(context, f"{p}.attention.output.dense") + x,
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = self._dense(x, f"{p}.intermediate.dense")
            gelu = 0.5 * inner * (1.0 + _erf(inner / sqrt(2.0)))
            x = _layer_norm(
                self._dense(gelu, f"{p}.output.dense") + x,
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
                self.eps,
            )
        pooled = x.mean(0)
        return pooled / np.linalg.norm(pooled)
