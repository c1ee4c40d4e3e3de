"""Counter-based randomness for the vectorised generators (the scale writer of `demo.appeals`,
`demo.land`): every value is a pure function of (key, stream, seed), so any chunk of a data set is
generated alone, in any order, with the same bytes.

Each generator keeps its own number of `streams` per key (the multiplier that separates the keys'
counters): it is part of what its output is, and changing it changes every value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SEED_MIX = 0x632BE59BD9B4E019


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (uint64 arithmetic wraps)."""
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def counter_hash(key: np.ndarray, stream: int, seed: int, *, streams: int) -> np.ndarray:
    """64 random bits per key, independent across streams (0 <= stream < streams) and seeds."""
    with np.errstate(over="ignore"):
        k = key.astype(np.uint64) * np.uint64(streams) + np.uint64(stream)
        return mix(mix(k) ^ np.uint64((seed * _SEED_MIX) % 2**64))


def uniform(key: np.ndarray, stream: int, seed: int, *, streams: int) -> np.ndarray:
    """U[0, 1) per key, independent across streams and seeds."""
    return (counter_hash(key, stream, seed, streams=streams) >> np.uint64(11)).astype(np.float64) * 2.0**-53


def choice(u: np.ndarray, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """The index each uniform `u` picks among `weights` (need not sum to 1)."""
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(cdf) - 1)
