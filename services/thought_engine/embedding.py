"""Text embeddings for the cognition modules, and the model-free fallback embedder.

The modules take any `Embed` callable: the search service's MiniLM embedder in production,
or `HashedBagOfWords` when no model is loaded. The fallback is a real (if shallow) embedding:
stemmed content words and their bigrams, hashed into a fixed number of signed buckets with
sublinear term frequency and L2 normalisation, so cosine similarity measures shared
vocabulary. It is deterministic across processes (blake2b, not Python's salted hash).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from hashlib import blake2b

import numpy as np

from services.thought_engine.text import content_words, stem

Embed = Callable[[Sequence[str]], np.ndarray]
"""Maps n texts to an (n, d) float array; rows are L2-normalised or all zero."""


class HashedBagOfWords:
    def __init__(self, dimensions: int = 1024, *, bigrams: bool = True) -> None:
        if dimensions < 16:
            raise ValueError("dimensions must be at least 16")
        self.dimensions = dimensions
        self._bigrams = bigrams

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, count in self._features(text).items():
                index, sign = self._bucket(feature)
                matrix[row, index] += sign * (1.0 + math.log(count))
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)

    def _features(self, text: str) -> Counter[str]:
        stems = [stem(word) for word in content_words(text)]
        features = Counter(stems)
        if self._bigrams:
            # Word pairs make a shared phrase count for more than its words apart.
            features.update(f"{a} {b}" for a, b in itertools.pairwise(stems))
        return features

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = int.from_bytes(blake2b(feature.encode(), digest_size=8).digest(), "big")
        return digest % self.dimensions, 1.0 if digest >> 63 else -1.0


def unit(vector: np.ndarray) -> np.ndarray:
    """`vector` scaled to length 1, or unchanged if it is zero."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
