"""The validation's printed summary, its report tables and the patterns' figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.outputs.validation_report import (
    checks_table,
    loops_table,
    pattern_figure,
    power_note,
    summary_lines,
)
from simulation.runs.validation import (
    DEFAULT_PAIRS,
    HORIZON,
    PATTERNS,
    QUICK_HORIZON,
    QUICK_PAIRS,
    Pattern,
    Validation,
    arms_of,
    judge,
    validate,
)
from simulation.runs.validation.outcomes import series_matrix


def judged(pairs: int, months: int) -> Validation:
    """A validation of two patterns from hand-made per-seed values (no model runs)."""
    checks = [
        ("Exposure first", judge(1, "clear", "o", "c", [1.0, 1.1, 0.9], emergent=True, key="1a")),
        ("Lock-in", judge(2, "clear", "o", "c", [1.0, 1.1, 0.9], key="2a")),
        (
            "Lock-in",
            judge(2, "unresolved", "o", "c", [1.0, -1.1, 0.9, -1.0], emergent=True, key="2b"),
        ),
        ("Lock-in", judge(2, "one seed", "o", "c", [1.0], emergent=True, key="2c")),
        ("Champions", judge(4, "coded", "o", "c", [1.0, 1.1, 0.9], key="4a")),
    ]
    rows = [
        {
            "title": title,
            **check.__dict__,
            "verdict": check.verdict.value,
            "label": check.label,
            "holds": check.holds,
        }
        for title, check in checks
    ]
    return Validation(pd.DataFrame(rows), {}, list(range(pairs)), months, ())


def test_quick_mode_says_it_has_less_power_and_calls_unresolved_patterns_inconclusive():
    lines = summary_lines(judged(QUICK_PAIRS, QUICK_HORIZON), quick=True)
    assert lines[0].startswith(f"quick mode: {QUICK_PAIRS} pairs over {QUICK_HORIZON} months")
    assert "inconclusive check may hold on the full run" in lines[0]
    assert lines[1].startswith("pattern  1  holds ")
    # Pattern 2's verdict is that of its emergent checks; its verification check is apart.
    assert lines[2].startswith(
        "pattern  2  inconclusive       emergent 0/2 hold, verification 1/1  Lock-in"
    )
    assert lines[3].startswith("pattern  4  no emergent check")
    assert lines[4] == (
        "1 of 2 patterns with emergent checks hold on them, 1 inconclusive, 0 contradicted "
        "(1 with verification checks only, not counted)"
    )
    assert lines[-1].startswith("loop gains: not run")  # a quick run skips them
    assert not any("FAILS" in line or "fails" in line for line in lines)


def test_only_a_run_with_less_than_the_full_budget_carries_the_power_note():
    assert power_note(judged(DEFAULT_PAIRS, HORIZON)) is None
    assert summary_lines(judged(DEFAULT_PAIRS, HORIZON))[0].startswith("pattern  1")
    reduced = power_note(judged(5, HORIZON))
    assert reduced is not None and reduced.startswith(f"reduced run: 5 pairs over {HORIZON}")


def test_checks_table_shows_each_verdict_and_says_when_there_is_no_interval():
    table = checks_table(judged(QUICK_PAIRS, QUICK_HORIZON))
    assert list(table["verdict"]) == ["holds", "holds", "inconclusive", "inconclusive", "holds"]
    assert list(table["label"])[:2] == ["emergent", "verification"]
    assert table["95% CI"].iloc[3] == "no interval"
    assert table["95% CI"].iloc[0].endswith("to 1.25")


class Drawn(Pattern):
    number, title, claim, method, arms = 99, "A drawn pattern", "c", "m", ()
    figure_size = (5.0, 2.0)

    def checks(self, runs, months):
        return []

    def plot(self, figure, runs):
        left, _ = figure.subplots(1, 2)
        left.plot(runs["x"], label="x")


def test_a_pattern_draws_its_own_figure_on_a_figure_of_its_size():
    figure = pattern_figure(Drawn(), {"x": [0.0, 1.0, 3.0]})
    assert tuple(figure.get_size_inches()) == (5.0, 2.0)
    assert len(figure.axes) == 2
    assert np.array_equal(figure.axes[0].lines[0].get_ydata(), [0.0, 1.0, 3.0])
    assert figure.get_suptitle() == "Pattern 99: A drawn pattern"


@pytest.mark.slow
def test_every_pattern_draws_from_the_runs_of_its_own_arms_alone():
    validation = validate(pairs=2, months=36)
    checked_panels = 0
    for pattern in PATTERNS:
        own = {each.name: validation.runs[each.name] for each in arms_of([pattern])}
        figure = pattern_figure(pattern, own)
        drawn = [axes for axes in figure.axes if axes.lines or axes.patches or axes.collections]
        assert drawn, f"pattern {pattern.number} drew nothing"
        for axes in drawn:
            for line in axes.lines:
                values = np.asarray(line.get_ydata(), dtype=float)
                assert values.size and np.isfinite(values).all(), (
                    f"pattern {pattern.number}: {line.get_label()!r} is empty or not finite"
                )
        # What a "by arm" panel shows: each line is the mean over seeds of the sector column
        # on its y axis, for the arm its legend names (one of the pattern's own), by year.
        by_arm = [axes for axes in drawn if axes.get_title().endswith("by arm (mean, 95 % band)")]
        for axes in by_arm:
            column = axes.get_ylabel().replace(" ", "_")
            labels = [line.get_label() for line in axes.lines]
            legend = [text.get_text() for text in axes.get_legend().get_texts()]
            assert legend == labels and len(set(labels)) == len(labels) >= 2
            for line in axes.lines:
                arm = next(each for each in pattern.arms if each.label == line.get_label())
                matrix = series_matrix(own[arm.name], column)
                np.testing.assert_allclose(line.get_ydata(), matrix.mean(axis=0))
                np.testing.assert_allclose(line.get_xdata(), np.arange(matrix.shape[1]) / 12)
            checked_panels += 1
    assert checked_panels >= 5  # most patterns draw their arms this way


def test_the_tables_say_what_each_check_expects_and_which_are_emergent():
    rows = [
        {
            "title": "Exposure first",
            **judge(
                1, "lag", "o", "c", [10.0, 11.0, 12.0], "-", reference=24.0, emergent=True
            ).__dict__,
        },
    ]
    rows = [
        {**row, "verdict": row["verdict"].value, "label": "emergent", "holds": True} for row in rows
    ]
    gain = judge(0, "kept", "o", "c", [1.2, 1.4, 1.3], reference=1.0, emergent=True)
    loops = pd.DataFrame(
        [
            {
                "loop": "hiring",
                "title": "Hiring loop",
                **{k: v for k, v in gain.__dict__.items() if k != "pattern"},
                "verdict": gain.verdict.value,
                "holds": gain.holds,
            }
        ]
    )
    validation = Validation(pd.DataFrame(rows), {}, [1, 2, 3], HORIZON, (), loops)
    table = checks_table(validation)
    assert list(table["expected"]) == ["< 24"] and list(table["label"]) == ["emergent"]
    shown = loops_table(validation)
    assert list(shown["expected"]) == ["> 1"] and list(shown["verdict"]) == ["holds"]
    lines = summary_lines(validation)
    assert any(line.startswith("loop hiring      holds") for line in lines)
    assert "loop gains: not run" in summary_lines(judged(QUICK_PAIRS, QUICK_HORIZON))[-1]
