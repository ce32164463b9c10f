"""The compiled circle sums reproduce the numpy reference to the last bit (issue 19)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from simulation import SectorModel, simulate
from simulation.core import circles, kernels, processes, streams
from simulation.core.kernels import pairwise_sum
from simulation.core.state import STAFF_ARRAYS
from simulation.runs.batch import BatchStreams, build_batch


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal to the last bit, signed zeros and all (not just ==)."""
    return a.shape == b.shape and np.array_equal(
        np.ascontiguousarray(a).view(np.int64), np.ascontiguousarray(b).view(np.int64)
    )


def test_pairwise_sum_is_numpys_reduceat_order() -> None:
    # np.add.reduceat adds a segment's first value to numpy's pairwise sum of the rest: in
    # turn below 8 values, 8 running sums up to 128, halves beyond. Values spanning twelve
    # orders of magnitude make any other order round differently (checked: a plain running
    # sum differs in about half of these segments from 3 values on).
    rng = np.random.default_rng(19)
    for count in [*range(1, 40), 127, 128, 129, 200, 257, 600]:
        for _ in range(20):
            values = rng.random(count) * 10.0 ** rng.integers(-6, 6, count)
            expected = np.add.reduceat(values, [0])[0]
            got = values[0] + pairwise_sum(values, 1, count - 1)
            assert same_bits(np.array(expected), np.array(got)), count


@pytest.fixture(scope="module")
def states() -> list[SectorModel]:
    """Sectors at set-up, later with LE leaders, and a batch of three replications."""
    fresh = SectorModel(rng=3)
    later = SectorModel(rng=3)
    for _ in range(60):
        later.step()
    batch = build_batch([5, 6, 7], {}, (), None)
    for _ in range(48):
        batch.step()
    return [fresh, later, batch]


def test_the_states_cover_le_supervision(states: list[SectorModel]) -> None:
    # The supervision ties are summed only where an LE leader works: at least one state
    # must have them, or the comparisons below would not reach that code.
    assert any(model.le_supervision() is not None for model in states)


def value_sets(model: SectorModel) -> list[np.ndarray]:
    staff = model.staff
    n = staff.size
    rng = np.random.default_rng(n)
    signed = rng.normal(size=n) * 10.0 ** rng.integers(-8, 8, n)
    signed[::7] = -0.0
    return [
        staff.stigma[:n].copy(),
        staff.commitment[:n].copy(),
        staff.active[:n].astype(np.float64),
        signed,
    ]


def test_dense_and_selected_circle_sums_match_the_reference(
    states: list[SectorModel],
) -> None:
    for model in states:
        staff = model.staff
        some = np.flatnonzero(staff.lived_experience[: staff.size])[::3]
        for values in value_sets(model):
            assert same_bits(
                circles.circle_sums(model, values), circles.reference_circle_sums(model, values)
            )
            assert same_bits(
                circles.circle_sums(model, values, some),
                circles.reference_circle_sums(model, values, some),
            )


def test_sparse_circle_sums_match_the_reference(states: list[SectorModel]) -> None:
    for model in states:
        staff = model.staff
        n = staff.size
        rng = np.random.default_rng(7)
        for share in (0.0, 0.01, 0.3):
            slots = np.flatnonzero(rng.random(n) < share)
            amounts = rng.random(slots.size) * 10.0 ** rng.integers(-6, 6, slots.size)
            assert same_bits(
                circles.sparse_circle_sums(model, slots, amounts),
                circles.reference_sparse_circle_sums(model, slots, amounts),
            )


def test_a_whole_run_is_the_same_on_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = simulate(36, 11)
    monkeypatch.setattr(kernels, "COMPILED", False)
    reference = simulate(36, 11)
    assert compiled.equals(reference)
    # The switch reaches the model: on the reference, no compiled sum is called.
    calls = []
    monkeypatch.setattr(circles.kernels, "dense_circle_sums", lambda *a: calls.append(a))
    simulate(2, 11)
    assert not calls


def test_mix64_matches_the_reference() -> None:
    rng = np.random.default_rng(64)
    values = rng.integers(0, 2**64 - 1, size=5_000, dtype=np.uint64, endpoint=True)
    values[:3] = [0, 1, 2**64 - 1]
    assert np.array_equal(streams.mix64(values), streams.reference_mix64(values))
    block = values[:600].reshape(3, 200)
    assert np.array_equal(streams.mix64(block), streams.reference_mix64(block))
    assert streams.mix64(np.uint64(5)).shape == streams.reference_mix64(np.uint64(5)).shape


@pytest.mark.parametrize("names", [("disclosure",), ("fill", "positions", "visits")])
def test_draws_match_the_reference(monkeypatch: pytest.MonkeyPatch, names: tuple) -> None:
    rng = np.random.default_rng(8)
    keys = rng.integers(0, 2**64 - 1, size=3_000, dtype=np.uint64, endpoint=True)
    alone = streams.RandomStreams(2019)
    batch = BatchStreams([2019, 7, 11], n_orgs=24)
    orgs = rng.integers(0, 72, size=keys.size)
    compiled = alone.uniforms(names, 17, keys), batch.uniforms(names, 17, keys, orgs)
    monkeypatch.setattr(kernels, "COMPILED", False)
    reference = alone.uniforms(names, 17, keys), batch.uniforms(names, 17, keys, orgs)
    for got, expected in zip(compiled, reference, strict=True):
        assert got.shape == (len(names), keys.size)
        assert same_bits(got, expected)
    # Replication 0 of the batch draws what the run of its seed draws alone.
    first = orgs < 24
    assert same_bits(compiled[1][:, first], compiled[0][:, first])


@pytest.mark.parametrize(
    "keys", [12345, np.uint64(7), np.array(9, dtype=np.uint64), [[1, 2, 3], [4, 5, 6]]]
)
def test_draws_for_keys_of_any_shape_match_the_reference(
    monkeypatch: pytest.MonkeyPatch, keys: object
) -> None:
    # The model draws for 1-D key arrays; other shapes take the reference's path.
    alone = streams.RandomStreams(2019)
    compiled = alone.uniforms(("disclosure",), 3, keys)
    monkeypatch.setattr(kernels, "COMPILED", False)
    assert same_bits(compiled, alone.uniforms(("disclosure",), 3, keys))


def test_a_batch_takes_stream_names_as_a_list_too() -> None:
    batch = BatchStreams([2019, 7], n_orgs=4)
    keys = np.arange(6, dtype=np.uint64)
    orgs = np.array([0, 1, 4, 5, 7, 2])
    as_tuple = batch.uniforms(("fill", "positions"), 3, keys, orgs)
    assert same_bits(batch.uniforms(["fill", "positions"], 3, keys, orgs), as_tuple)


def test_circle_sums_of_a_mask_of_slots_match_the_reference(states: list[SectorModel]) -> None:
    model = states[1]
    staff = model.staff
    mask = staff.lived_experience[: staff.size].copy()
    values = staff.stigma[: staff.size].copy()
    assert same_bits(
        circles.circle_sums(model, values, mask),
        circles.reference_circle_sums(model, values, mask),
    )


# ---- the attitude updates and the organisations' non-peer totals ----------------------------

ATTITUDE_PROCESSES = (
    processes.contact_and_exposure,
    processes.understanding_growth,
    processes.commitment_dynamics,
    processes.stigma_dynamics,
)


def with_edge_values(model: SectorModel) -> None:
    """Put values at the clip's edges into the attitudes: 0, -0.0, 1, just inside each."""
    staff = model.staff
    n = staff.size
    for offset, name in enumerate(("exposure", "understanding", "commitment", "stigma")):
        values = getattr(staff, name)[:n]
        values[offset::11] = 0.0
        values[offset + 2 :: 13] = -0.0
        values[offset + 4 :: 17] = 1.0
        values[offset + 6 :: 19] = np.nextafter(1.0, 0.0)
        values[offset + 8 :: 23] = 5e-324


@pytest.mark.parametrize("process", ATTITUDE_PROCESSES, ids=lambda p: p.__name__)
@pytest.mark.parametrize("edges", [False, True])
def test_each_attitude_update_matches_the_reference(
    states: list[SectorModel], monkeypatch: pytest.MonkeyPatch, process: object, edges: bool
) -> None:
    # Each process on the same state, compiled and on its numpy reference: every staff
    # array is the same to the last bit afterwards.
    for model in states:
        staff = model.staff
        before = {name: getattr(staff, name).copy() for name in STAFF_ARRAYS}
        if edges:
            with_edge_values(model)
        start = {name: getattr(staff, name).copy() for name in STAFF_ARRAYS}
        monkeypatch.setattr(kernels, "COMPILED", True)
        process(model)
        compiled = {name: getattr(staff, name).copy() for name in STAFF_ARRAYS}
        for name, values in start.items():
            getattr(staff, name)[:] = values
        monkeypatch.setattr(kernels, "COMPILED", False)
        process(model)
        for name in STAFF_ARRAYS:
            assert same_bits(
                compiled[name].astype(np.float64), getattr(staff, name).astype(np.float64)
            ), name
        assert any(not np.array_equal(compiled[name], start[name]) for name in STAFF_ARRAYS)
        for name, values in before.items():  # leave the shared state as it was
            getattr(staff, name)[:] = values


def test_non_peer_totals_match_the_reference(
    states: list[SectorModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    for model in states:
        compiled = circles.non_peer_stigma_sum(model)
        monkeypatch.setattr(kernels, "COMPILED", False)
        assert same_bits(compiled, circles.non_peer_stigma_sum(model))
        monkeypatch.setattr(kernels, "COMPILED", True)


def test_long_link_groups_match_the_reference() -> None:
    # With many teams per senior manager, a senior's circle gathers more than 8 links: the
    # pairwise branch of the link sums (a default sector never reaches it).
    model = SectorModel(rng=4, teams_per_senior=40, n_orgs=3)
    starts = model.circle_links.arrays[3]
    widths = np.diff(np.append(starts, model.circle_links.arrays[2].size))
    assert widths.max() > 8
    staff = model.staff
    rng = np.random.default_rng(40)
    values = rng.normal(size=staff.size) * 10.0 ** rng.integers(-8, 8, staff.size)
    assert same_bits(
        circles.circle_sums(model, values), circles.reference_circle_sums(model, values)
    )


def test_pairwise_sum_of_long_arrays_matches_numpy() -> None:
    # Beyond 128 values the halves are summed on an explicit stack (no recursion).
    rng = np.random.default_rng(128)
    for count in (129, 1_000, 4_097, 70_001):
        values = rng.random(count) * 10.0 ** rng.integers(-6, 6, count)
        expected = np.add.reduceat(values, [0])[0]
        assert same_bits(
            np.array(expected), np.array(values[0] + pairwise_sum(values, 1, count - 1))
        )


def test_circle_means_match_the_reference(
    states: list[SectorModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Empty slots have circles of size 0: the mean divides by 1 there, as the reference.
    for model in states:
        staff = model.staff
        some = np.flatnonzero(staff.lived_experience[: staff.size])[::3]
        for values in value_sets(model):
            for slots in (None, some):
                monkeypatch.setattr(kernels, "COMPILED", True)
                compiled = circles.circle_mean(model, values, slots)
                monkeypatch.setattr(kernels, "COMPILED", False)
                assert same_bits(compiled, circles.circle_mean(model, values, slots))


def test_the_clip_keeps_negative_zero_and_nan_as_numpy_does() -> None:
    # np.clip moves only values outside [0, 1]: -0.0 and NaN come back as they went in.
    values = np.array([-0.0, 0.0, np.nan, -np.nan, -5.0, 5.0, 0.25, 1.0, -1e-300, np.inf, -np.inf])
    compiled = np.array([kernels._clip_unit(x) for x in values])
    assert same_bits(compiled, np.clip(values, 0.0, 1.0))
    assert np.signbit(compiled[0])


def test_without_a_writable_cache_the_loops_are_compiled_in_the_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # numba refuses cache=True where it has nowhere to write; the import must not fail.
    def refusing(*args: object, **options: object) -> object:
        if options.get("cache"):
            raise RuntimeError("cannot cache function 'f': no locator available")
        return njit(*args)

    monkeypatch.setattr(kernels, "njit", refusing)

    def double(x: float) -> float:
        return 2.0 * x

    compiled = kernels._compiled(double)
    assert compiled(3.0) == 6.0
    assert type(compiled._cache).__name__ == "NullCache"  # numba's, for no disk cache
