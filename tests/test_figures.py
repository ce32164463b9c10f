"""The numbers the README and the ODD quote are the model's own (issue 17, item 7).

``make figures`` (``experiments/make_figures.py``) measures them into ``docs/figures.json``
with the sentences that quote them. This test checks that the file was made by the model
as it is now (its fingerprint), and that every document holds every sentence, so a model
change that moves a quoted number fails here until the figures are regenerated and the
documents follow. The tolerance is the rounding of each sentence (stated in its format:
a share to the percent, a count to a tenth).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulation.runs.replications import model_fingerprint

ROOT = Path(__file__).resolve().parent.parent
FIGURES = json.loads((ROOT / "docs" / "figures.json").read_text(encoding="utf-8"))


def test_the_figures_were_made_by_the_model_as_it_is_now():
    assert FIGURES["fingerprint"] == model_fingerprint(), (
        "docs/figures.json is stale: run `make figures` and update the quoted numbers"
    )


@pytest.mark.parametrize("quote", FIGURES["quotes"], ids=lambda q: f"{q['file']}: {q['text'][:40]}")
def test_every_quoted_number_is_in_its_document(quote):
    text = " ".join((ROOT / quote["file"]).read_text(encoding="utf-8").split())
    assert " ".join(quote["text"].split()) in text


def test_the_fingerprint_moves_with_the_model():
    assert model_fingerprint(steps=12) != model_fingerprint(steps=12, seed=1)
