"""Embeddings from an OpenAI-compatible /embeddings endpoint (TEI, vLLM, Ollama, OpenAI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import numpy as np
from memgrid_runtime.errors import FailedPrecondition, Unavailable

from services.search.embedding.base import Vectors, l2_normalise


@dataclass(frozen=True)
class OpenAIEmbedderConfig:
    # Up to and including the version segment, e.g. http://127.0.0.1:8080/v1
    base_url: str
    model: str
    dim: int
    api_key: str | None = None
    timeout_seconds: float = 10.0
    # Servers cap inputs per request (OpenAI: 2048); larger calls are split.
    max_inputs_per_request: int = 256


class OpenAIEmbedder:
    def __init__(self, config: OpenAIEmbedderConfig) -> None:
        self._config = config
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._client = httpx.AsyncClient(
            base_url=config.base_url.rstrip("/"),
            headers=headers,
            timeout=config.timeout_seconds,
        )

    @property
    def name(self) -> str:
        return f"openai-compatible/{self._config.model}"

    @property
    def dim(self) -> int:
        return self._config.dim

    async def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        step = self._config.max_inputs_per_request
        parts = [await self._request(texts[i : i + step]) for i in range(0, len(texts), step)]
        return l2_normalise(np.concatenate(parts))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(self, texts: Sequence[str]) -> Vectors:
        try:
            response = await self._client.post(
                "/embeddings", json={"model": self._config.model, "input": list(texts)}
            )
        except httpx.HTTPError as error:
            raise Unavailable(
                f"embedding endpoint {self._config.base_url} unreachable: {error}",
                reason="EMBEDDER_UNAVAILABLE",
            ) from error
        if response.status_code == 429 or response.status_code >= 500:
            raise Unavailable(
                f"embedding endpoint answered HTTP {response.status_code}",
                reason="EMBEDDER_UNAVAILABLE",
            )
        if response.status_code != 200:
            # Wrong model name, key or URL: retrying will not help, an operator must act.
            raise FailedPrecondition(
                f"embedding endpoint rejected the request: HTTP {response.status_code} "
                f"{response.text[:200]}",
                reason="EMBEDDER_MISCONFIGURED",
            )
        data = sorted(response.json()["data"], key=lambda item: item["index"])
        vectors = np.asarray([item["embedding"] for item in data], dtype=np.float32)
        if vectors.shape != (len(texts), self.dim):
            raise FailedPrecondition(
                f"embedding endpoint returned shape {vectors.shape}, "
                f"expected ({len(texts)}, {self.dim})",
                reason="EMBEDDER_MISCONFIGURED",
            )
        return vectors
