"""The OpenAI-compatible provider against a real local HTTP server speaking the wire format.

The server computes its embeddings with the local ONNX model, so the test also checks that
vectors cross the wire intact.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from memgrid_runtime.errors import FailedPrecondition, Unavailable

from services.search.embedding import OnnxEmbedder, OpenAIEmbedder, OpenAIEmbedderConfig

API_KEY = "sk-test-local"


def _handler(embedder: OnnxEmbedder, seen_batches: list[int]) -> type[BaseHTTPRequestHandler]:
    class EmbeddingsHandler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            if self.path != "/v1/embeddings":
                self._reply(404, {"error": {"message": "not found"}})
                return
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self._reply(401, {"error": {"message": "bad api key"}})
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            seen_batches.append(len(texts))
            vectors = embedder.embed_sync(texts)
            # Reversed on purpose: clients must order by "index", not by position.
            data = [
                {"object": "embedding", "index": i, "embedding": vectors[i].tolist()}
                for i in reversed(range(len(texts)))
            ]
            self._reply(200, {"object": "list", "data": data, "model": body["model"]})

        def _reply(self, status: int, payload: object) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return EmbeddingsHandler


@pytest.fixture
def embeddings_server(onnx_embedder: OnnxEmbedder) -> Iterator[tuple[str, list[int]]]:
    seen: list[int] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(onnx_embedder, seen))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    server.shutdown()
    server.server_close()
    thread.join()


def _config(base_url: str, **overrides: object) -> OpenAIEmbedderConfig:
    fields: dict[str, object] = {
        "base_url": base_url,
        "model": "all-MiniLM-L6-v2",
        "dim": 384,
        "api_key": API_KEY,
        "max_inputs_per_request": 4,
    }
    fields.update(overrides)
    return OpenAIEmbedderConfig(**fields)  # type: ignore[arg-type]


async def test_vectors_match_the_local_model_and_keep_order(
    embeddings_server: tuple[str, list[int]], onnx_embedder: OnnxEmbedder
) -> None:
    base_url, seen = embeddings_server
    embedder = OpenAIEmbedder(_config(base_url))
    texts = [f"fact {i}: the meeting moved to room {i}" for i in range(10)]
    vectors = await embedder.embed(texts)
    await embedder.aclose()
    assert seen == [4, 4, 2], "inputs are split at max_inputs_per_request"
    expected = onnx_embedder.embed_sync(texts)
    np.testing.assert_allclose(vectors, expected, atol=1e-5)
    assert embedder.name == "openai-compatible/all-MiniLM-L6-v2"


async def test_rejected_key_is_a_failed_precondition(
    embeddings_server: tuple[str, list[int]],
) -> None:
    embedder = OpenAIEmbedder(_config(embeddings_server[0], api_key="wrong"))
    with pytest.raises(FailedPrecondition, match="HTTP 401"):
        await embedder.embed(["hello"])
    await embedder.aclose()


async def test_wrong_dimension_is_reported(embeddings_server: tuple[str, list[int]]) -> None:
    embedder = OpenAIEmbedder(_config(embeddings_server[0], dim=768))
    with pytest.raises(FailedPrecondition, match="shape"):
        await embedder.embed(["hello"])
    await embedder.aclose()


async def test_unreachable_endpoint_is_unavailable() -> None:
    # Bind then close a socket so the port is known to refuse connections.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    embedder = OpenAIEmbedder(_config(f"http://127.0.0.1:{port}/v1", timeout_seconds=2.0))
    with pytest.raises(Unavailable):
        await embedder.embed(["hello"])
    await embedder.aclose()
