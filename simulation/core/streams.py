"""Named random streams with common random numbers across organisations.

Each random decision of the model (hiring, exits, disclosure, visits, ...) has its own
stream, keyed from ``numpy.random.SeedSequence`` of the run seed and the stream's name.
Within a stream, every draw is addressed by who it is for (an organisation, or a person
known by their organisation and their hiring serial within it) and by the month. A draw
is therefore a pure function of ``(seed, stream, month, organisation, person)``: an
intervention in one organisation changes no random number seen by another, and adding a
decision never shifts the numbers of the others (covasim's single global stream is the
cautionary tale). Scenario comparisons then measure effects, not noise.

Drawing one ``numpy.random.Generator`` per organisation and decision every month would
cost a Python loop over organisations in every step. Instead, the per-person and
per-organisation sub-streams are counter-based: a SplitMix64 finaliser (Steele, Lea &
Flood 2014) mixes the stream's SeedSequence key with the address, vectorised over all
the people who need a draw. Sector-level draws made once at set-up (organisation sizes,
the sector network) use ordinary ``Generator`` objects from the same SeedSequence keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.core import kernels

if TYPE_CHECKING:
    from simulation.core.state import StaffState

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_UNIT = 2.0**-53
_SHIFT_30, _SHIFT_27, _SHIFT_31, _SHIFT_11 = (np.uint64(k) for k in (30, 27, 31, 11))


def mix64(values: np.ndarray) -> np.ndarray:
    """Scramble unsigned 64-bit integers (SplitMix64's finaliser), returning a new array.

    Args:
        values: An array of ``uint64``.

    Returns:
        Well-mixed ``uint64`` values; each output bit depends on every input bit.
    """
    if not kernels.COMPILED:
        return reference_mix64(values)
    x = np.ascontiguousarray(np.array(values, dtype=np.uint64, copy=None, ndmin=1))
    return kernels.mix64(x.reshape(-1)).reshape(x.shape)


def reference_mix64(values: np.ndarray) -> np.ndarray:
    """:func:`mix64` in numpy: what the compiled loop must reproduce exactly."""
    # Array arithmetic on uint64 wraps modulo 2**64 without warnings (scalars would warn,
    # hence ndmin=1), which is exactly the arithmetic the mixer needs.
    x = np.array(values, dtype=np.uint64, copy=True, ndmin=1)
    shifted = np.empty_like(x)  # one scratch buffer instead of a temporary per shift
    for shift, multiplier in ((_SHIFT_30, _MIX_1), (_SHIFT_27, _MIX_2)):
        np.right_shift(x, shift, out=shifted)
        x ^= shifted
        x *= multiplier
    np.right_shift(x, _SHIFT_31, out=shifted)
    x ^= shifted
    return x


_MASK = (1 << 64) - 1


def mix64_scalar(value: int) -> int:
    """:func:`mix64` of one integer, in plain Python (cheaper than numpy for a scalar).

    Args:
        value: An integer (taken modulo 2**64).

    Returns:
        The same value :func:`mix64` gives, as a Python int.
    """
    x = value & _MASK
    x ^= x >> 30
    x = (x * int(_MIX_1)) & _MASK
    x ^= x >> 27
    x = (x * int(_MIX_2)) & _MASK
    return x ^ (x >> 31)


def unit_floats(bits: np.ndarray) -> np.ndarray:
    """Uniform floats in [0, 1) from mixed 64-bit values (their top 53 bits).

    Args:
        bits: Mixed ``uint64`` values.

    Returns:
        Floats, one per value, multiples of 2**-53.
    """
    uniforms = (bits >> _SHIFT_11).astype(np.float64)
    uniforms *= _UNIT
    return uniforms


def _offset(base: np.ndarray, count: np.ndarray | int) -> np.ndarray:
    """Return ``base + GOLDEN * (count + 1)`` with wrap-around, as uint64."""
    steps = np.array(count, dtype=np.uint64, ndmin=1) + np.uint64(1)
    return np.array(base, dtype=np.uint64, ndmin=1) + _GOLDEN * steps


# Seeds are kept below 2**63 so they fit a signed 64-bit integer column (parquet, pandas)
# and are valid for both numpy.random.default_rng and random.Random.
SEED_MASK = (1 << 63) - 1


def seed_from_sequence(sequence: np.random.SeedSequence) -> int:
    """One integer seed from a ``SeedSequence``, in integer arithmetic only.

    Two 32-bit words of ``generate_state`` are joined (the first as the high word) and
    masked to 63 bits, so the seed is exact (no float rounding) and fits a signed
    64-bit column.

    Args:
        sequence: The seed sequence (a root or a spawned child).

    Returns:
        A non-negative ``int`` below ``2**63``.
    """
    high, low = (int(word) for word in sequence.generate_state(2, np.uint32))
    return ((high << 32) | low) & SEED_MASK


class RandomStreams:
    """The run's random streams, all derived from one integer seed.

    Args:
        seed: The run seed. The same seed gives the same numbers on any machine.
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._keys: dict[str, np.uint64] = {}
        self._org_keys = np.zeros(0, dtype=np.uint64)

    def key(self, name: str) -> np.uint64:
        """Return the 64-bit key of stream ``name``, from SeedSequence(seed, name).

        Args:
            name: The stream's name, e.g. ``"exits"``.

        Returns:
            The key, the same for the same seed and name.
        """
        if name not in self._keys:
            entropy = [self.seed, *name.encode("utf-8")]
            state = np.random.SeedSequence(entropy).generate_state(1, np.uint64)
            self._keys[name] = np.uint64(state[0])
        return self._keys[name]

    def generator(self, name: str) -> np.random.Generator:
        """Return a fresh numpy Generator for a sector-level stream.

        Args:
            name: The stream's name.

        Returns:
            A Generator seeded from SeedSequence of the run seed and the name.
        """
        entropy = [self.seed, *name.encode("utf-8")]
        return np.random.default_rng(np.random.SeedSequence(entropy))

    def org_keys(self, orgs: np.ndarray) -> np.ndarray:
        """Return the per-organisation base keys (stable addresses for org sub-streams).

        Args:
            orgs: Organisation indices.

        Returns:
            One uint64 per organisation.
        """
        orgs = np.asarray(orgs, dtype=np.int64)
        needed = int(orgs.max()) + 1 if orgs.size else 0
        if needed > self._org_keys.size:
            self._org_keys = mix64(_offset(self.key("organisation"), np.arange(2 * needed)))
        return self._org_keys[orgs]

    def person_keys(self, orgs: np.ndarray, serials: np.ndarray) -> np.ndarray:
        """Return the keys of people known by organisation and hiring serial within it.

        Args:
            orgs: Each person's organisation index.
            serials: Each person's serial: 0 for the first person the organisation
                ever employed, 1 for the next, and so on.

        Returns:
            One uint64 per person.
        """
        return mix64(_offset(self.org_keys(orgs), serials))

    def uniform(self, name: str, month: int, keys: np.ndarray) -> np.ndarray:
        """Draw one uniform number in [0, 1) for each key, for stream ``name`` at ``month``.

        Args:
            name: The stream's name.
            month: The month of the draw (so each month has fresh numbers).
            keys: Person or organisation keys (``uint64``), one draw per key.

        Returns:
            Uniform floats in [0, 1), a pure function of (seed, name, month, key).
        """
        return self.uniforms((name,), month, keys)[0]

    def staff_uniform(
        self, name: str, month: int, staff: StaffState, slots: np.ndarray
    ) -> np.ndarray:
        """Draw one uniform number for each staff member in ``slots`` (by their keys).

        The model draws for people through this method rather than :meth:`uniform`, so that
        a batch of replications (:mod:`simulation.runs.batch`) can key each draw by its own
        replication's seed, known from the person's organisation.

        Args:
            name: The stream's name.
            month: The month of the draw.
            staff: The staff state holding each slot's key.
            slots: Staff slots, one draw each.

        Returns:
            ``uniform(name, month, staff.key[slots])``.
        """
        return self.uniform(name, month, staff.key[slots])

    def uniforms(
        self,
        names: tuple[str, ...],
        month: int,
        keys: np.ndarray,
        orgs: np.ndarray | None = None,
    ) -> np.ndarray:
        """Draw from several streams at once: row ``i`` equals ``uniform(names[i], ...)``.

        Args:
            names: Stream names.
            month: The month of the draws.
            keys: Person or organisation keys (``uint64``).
            orgs: The organisation of each key. One run has one seed and ignores it; a
                batch of replications needs it to key each draw by its replication's seed.

        Returns:
            An array of shape ``(len(names), len(keys))``.
        """
        golden = int(_GOLDEN)
        month_keys = np.array(
            [mix64_scalar(int(self.key(name)) + golden * (month + 1)) for name in names],
            dtype=np.uint64,
        )
        keys = np.asarray(keys, dtype=np.uint64)
        if kernels.COMPILED and keys.ndim == 1:  # other shapes: the reference below
            one_replication = np.zeros(keys.size, dtype=np.int64)
            return kernels.keyed_uniforms(keys, month_keys[:, np.newaxis], one_replication)
        if len(names) == 1:  # the common case: no need for a 2-D block
            bits = mix64(keys ^ month_keys[0])[np.newaxis, :]
        else:
            bits = mix64(keys[np.newaxis, :] ^ month_keys[:, np.newaxis])
        return unit_floats(bits)

    def org_uniform(
        self, name: str, month: int, orgs: np.ndarray, draw: np.ndarray | int = 0
    ) -> np.ndarray:
        """Draw uniforms addressed by organisation and a draw counter within the month.

        Args:
            name: The stream's name.
            month: The month of the draw.
            orgs: Organisation indices, one draw each.
            draw: Which draw of the organisation this is this month (0, 1, ...).

        Returns:
            Uniform floats in [0, 1).
        """
        # Salted so that organisation-level addresses never coincide with person keys.
        salted = self.org_keys(orgs) ^ self.key("organisation-draws")
        return self.uniform(name, month, mix64(_offset(salted, draw)))
