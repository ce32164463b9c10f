"""The site's generated pages say what their sources say (docs_pages, scripts/docs/)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import docs_pages
import typer
import yaml
from typer.testing import CliRunner

from simulation import Parameters
from simulation.cli import app

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ROOT / "docs" / "tutorials"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_a_document_is_split_at_its_numbered_sections():
    text = (
        "# Title\n\nIntro.\n\n## 1. Purpose\n\nWhy.\n\n### 1.1 Detail\n\nx\n\n"
        "## 2. Entities and scales\n\ny\n"
    )
    pages = docs_pages.odd_pages(text)
    assert [page.path for page in pages] == [
        "model/index.md",
        "model/01-purpose.md",
        "model/02-entities-and-scales.md",
    ]
    assert [page.title for page in pages] == [
        "Introduction",
        "1. Purpose",
        "2. Entities and scales",
    ]
    assert pages[1].text.startswith("# 1. Purpose\n") and "\n## 1.1 Detail\n" in pages[1].text
    assert pages[0].text == "# Title\n\nIntro.\n\n"


def test_every_line_of_the_odd_is_on_exactly_one_page():
    odd = docs_pages.ODD.read_text(encoding="utf-8")
    pages = docs_pages.odd_pages()
    assert len(pages) == 1 + len(docs_pages.SECTION_HEADING.findall(odd))
    joined = "".join(page.text for page in pages)
    assert joined.count("\n") == odd.count("\n")
    # Undo the heading shift: the pages are the document, in order.
    restored = pages[0].text + "".join(
        re.sub(r"^(#+) ", r"#\1 ", page.text, flags=re.MULTILINE) for page in pages[1:]
    )
    assert restored == odd
    assert docs_pages.odd_page_path(10) in {page.path for page in pages}


def test_the_cli_page_is_what_help_prints():
    page = docs_pages.cli_page()
    runner = CliRunner()
    group = typer.main.get_command(app)
    names = list(group.commands)
    assert {"run", "compare", "params", "sweep", "analyze", "app"} <= set(names)
    for name in names:
        printed = runner.invoke(app, [name, "--help"], prog_name="lewsim", terminal_width=100)
        assert printed.exit_code == 0
        assert f"## lewsim {name}\n" in page
        assert printed.output.strip() in page, f"lewsim {name} --help differs from the page"


def test_the_parameters_page_has_every_parameter_with_its_source():
    page = docs_pages.parameters_page()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert [row.split("|")[1].strip().strip("`") for row in rows] == list(Parameters.model_fields)
    sources = docs_pages.odd_parameter_sources()
    for row in rows:
        name = row.split("|")[1].strip().strip("`")
        assert sources[name] and sources[name].replace("|", "\\|") in row, name


def test_the_validation_page_shows_every_result_and_no_bookkeeping():
    figures = {
        "fingerprint": "abc",
        "command": "python experiments/make_figures.py",
        "quotes": [{"file": "README.md", "text": "quoted"}],
        "default_run": {"replications": 20, "nested": {"peer_workers_120": 134.85}},
        "magnitudes": {"rows": [{"measure": "peer_share", "mean": 0.0193, "inside": False}]},
        "a_new_part": {"value": 1.5},
    }
    page = docs_pages.validation_page(figures)
    assert "| `nested.peer_workers_120` | 134.8 |" in page
    assert "| peer_share | 0.0193 | False |" in page
    assert "## A new part" in page and "`a_new_part`" in page
    assert "quoted" not in page and "Fingerprint of the figures: `abc`" in page
    assert "## Default run" in docs_pages.validation_page()  # the real file


def test_citation_is_valid_and_agrees_with_pyproject():
    citation = yaml.safe_load(docs_pages.CITATION.read_text())
    assert citation["license"] == PYPROJECT["license"] == "MIT"
    assert str(citation["version"]) == PYPROJECT["version"]
    study = citation["references"][0]
    assert study["doi"] == "10.1111/inm.12562"
    assert [author["family-names"] for author in study["authors"]] == [
        "Byrne",
        "Roennfeldt",
        "Wang",
        "O'Shea",
    ]
    assert (study["volume"], study["start"], study["end"], study["year"]) == (28, 572, 581, 2019)
    cffconvert = Path(sys.executable).with_name("cffconvert")
    checked = subprocess.run(
        [cffconvert, "--validate", "-i", docs_pages.CITATION], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    page = docs_pages.citation_page()
    assert "doi:10.1111/inm.12562" in page and "Byrne, Roennfeldt, Wang, O'Shea (2019)" in page


def test_the_license_is_the_one_pyproject_declares():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")


def test_tutorials_set_their_sizes_and_say_so():
    sources = sorted(TUTORIALS.glob("*.py"))
    assert [source.stem for source in sources] == ["educator", "planner", "researcher"]
    for source in sources:
        text = source.read_text()
        assert "n_orgs" in text and "mean_org_size" in text, f"{source.name}: sizes not set"
        assert "**Sizes are small" in text, f"{source.name}: the page does not say its sizes"


def test_an_odd_equation_becomes_latex():
    line = "E ← clip(E + exposure_gain · x_i · (1 − E) − stigma_drag · S̄_circle · will_o)"
    assert docs_pages.equation_latex(line) == (
        r"E &\leftarrow  \operatorname{clip}(E + \mathrm{exposure\_gain} \cdot  x_{i} \cdot  "
        r"(1 - E) - \mathrm{stigma\_drag} \cdot  \bar{S}_{\mathrm{circle}} \cdot  "
        r"\mathrm{will}_{o})"
    )
    assert docs_pages.equation_latex("           + conformity · (N − S)").startswith(r"&\quad +")


def test_only_equation_blocks_become_math():
    text = (
        "Text.\n\n```\nU ← clip(U + understanding_gain · E)\n```\n\n"
        "```\nw_j = 1 for a peer worker or LE leader; 0 otherwise\n```\n\n"
        "```python\nmodel.schedule(24, 'set')\n```\n\n```\nx = 1\n```\n"
    )
    shown = docs_pages.equations_as_math(text)
    assert shown.count("$$") == 4  # the first block and the last
    assert "```\nw_j = 1 for a peer worker" in shown  # prose stays code
    assert "```python\nmodel.schedule(24, 'set')\n```" in shown  # a language block too
    odd = docs_pages.equations_as_math(docs_pages.ODD.read_text(encoding="utf-8"))
    assert odd.count(r"\begin{aligned}") >= 6
