"""Random streams and draws: uniformity, independence, addressing, Beta accuracy."""

from __future__ import annotations

import numpy as np
from scipy import stats

from simulation.core.sector import beta_table, interpolate_quantiles
from simulation.core.streams import RandomStreams


def keys(count: int, org: int = 0) -> np.ndarray:
    return RandomStreams(1).person_keys(np.full(count, org), np.arange(count))


def test_uniforms_are_uniform():
    # Kolmogorov-Smirnov on 20,000 draws: at alpha = 0.001 a fair generator fails 1 in 1000.
    draws = RandomStreams(3).uniform("exits", 5, keys(20_000))
    assert stats.kstest(draws, "uniform").pvalue > 0.001
    assert draws.min() >= 0.0 and draws.max() < 1.0


def test_streams_months_and_seeds_are_uncorrelated():
    people = keys(20_000)
    streams = RandomStreams(3)
    base = streams.uniform("exits", 5, people)
    # |r| for independent samples of 20,000 has sd 0.007; 0.03 is over four sd.
    for other in (
        streams.uniform("hiring", 5, people),
        streams.uniform("exits", 6, people),
        RandomStreams(4).uniform("exits", 5, people),
    ):
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.03


def test_a_persons_draw_does_not_depend_on_who_else_draws():
    streams = RandomStreams(8)
    everyone = keys(50)
    alone = streams.uniform("disclosure", 2, everyone[[7]])
    together = streams.uniform("disclosure", 2, everyone)
    assert alone[0] == together[7]


def test_organisations_have_distinct_person_keys():
    streams = RandomStreams(1)
    orgs = np.repeat(np.arange(100), 100)
    serials = np.tile(np.arange(100), 100)
    assert np.unique(streams.person_keys(orgs, serials)).size == 10_000


def test_org_draws_differ_from_person_draws_at_the_same_address():
    streams = RandomStreams(2)
    org_draws = streams.org_uniform("x", 1, np.arange(5), draw=0)
    person_draws = streams.uniform("x", 1, streams.person_keys(np.arange(5), np.zeros(5)))
    assert not np.any(org_draws == person_draws)


def test_beta_draws_are_within_their_documented_kolmogorov_distance():
    uniforms = np.random.default_rng(0).random(50_000)
    for mean, concentration in ((0.05, 10.0), (0.45, 10.0), (0.85, 10.0), (0.62, 3.0)):
        table = beta_table(mean, concentration)[np.newaxis, :]
        values = interpolate_quantiles(table, np.zeros(uniforms.size, dtype=int), uniforms)
        a, b = mean * concentration, (1 - mean) * concentration
        # CDF of the drawn value vs the uniform it came from: at most one grid step apart.
        assert np.max(np.abs(stats.beta.cdf(values, a, b) - uniforms)) <= 1 / 4096 + 1e-9


def test_scalar_and_array_mixers_agree():
    from simulation.core.streams import mix64, mix64_scalar

    values = np.array([0, 1, 2**63 + 12345, 2**64 - 1], dtype=np.uint64)
    assert [mix64_scalar(int(v)) for v in values] == mix64(values).tolist()


def test_a_seed_sequence_becomes_an_exact_integer_seed():
    from simulation import SectorModel
    from simulation.core.streams import SEED_MASK, seed_from_sequence

    sequence = np.random.SeedSequence(12345)
    high, low = (int(word) for word in sequence.generate_state(2, np.uint32))
    seed = seed_from_sequence(sequence)
    assert type(seed) is int
    assert seed == ((high << 32) | low) & SEED_MASK  # integer arithmetic, no float rounding
    assert 0 <= seed < 2**63
    model = SectorModel(rng=np.random.SeedSequence(12345), n_orgs=2)
    assert model.seed == seed
