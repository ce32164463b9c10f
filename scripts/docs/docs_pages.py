"""Pages of the documentation site made from the code and the project's files, not copied.

Each function returns Markdown (or a mapping of page path to Markdown) built from its one
source, so that the site cannot drift from what it documents:

- :func:`odd_pages`: ``docs/ODD.md`` split at its numbered sections (the ODD stays one
  file, the users' document; the site shows it a section a page);
- :func:`cli_page`: every command's ``--help``, as the typer app prints it;
- :func:`parameters_page`: the table of ``lewsim params`` with the ODD's source of each
  default;
- :func:`validation_page`: the numbers of ``docs/figures.json`` (``make figures``);
- :func:`changelog_page` and :func:`citation_page`: ``CHANGELOG.md`` and ``CITATION.cff``.

``hooks.py`` adds them to the site when it builds; ``tests/docs/`` checks them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import typer
import yaml

from simulation import Parameters

ROOT = Path(__file__).resolve().parents[2]
ODD = ROOT / "docs" / "ODD.md"
FIGURES = ROOT / "docs" / "figures.json"
CHANGELOG = ROOT / "CHANGELOG.md"
CITATION = ROOT / "CITATION.cff"

PARAMETER_NAMES = frozenset(Parameters.model_fields)

#: A numbered top-level section of the ODD: ``## 3. Process overview and scheduling``.
SECTION_HEADING = re.compile(r"^## (\d+)\. (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class OddPage:
    """One page of the ODD on the site.

    Attributes:
        path: The page's path in the site's docs, e.g. ``model/03-process-overview.md``.
        title: Its title in the navigation (``3. Process overview and scheduling``).
        text: Its Markdown: the section as the ODD writes it.
    """

    path: str
    title: str
    text: str


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words[:5])


def odd_pages(text: str | None = None) -> list[OddPage]:
    """The ODD split into an introduction and one page per numbered section, in order.

    Every line of the document is on exactly one page; headings move up one level, so
    each section's ``##`` heading is its page's title.

    Args:
        text: The ODD's Markdown (default: ``docs/ODD.md``).

    Returns:
        The pages, the introduction first.
    """
    text = ODD.read_text(encoding="utf-8") if text is None else text
    starts = [match.start() for match in SECTION_HEADING.finditer(text)]
    introduction = text[: starts[0]] if starts else text
    pages = [OddPage("model/index.md", "Introduction", introduction)]
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        body = text[start:end]
        number, title = SECTION_HEADING.match(body).groups()
        body = re.sub(r"^#(#+) ", r"\1 ", body, flags=re.MULTILINE)
        path = f"model/{int(number):02d}-{_slug(title)}.md"
        pages.append(OddPage(path, f"{number}. {title}", body))
    return pages


def odd_page_path(number: int) -> str:
    """The site path of the ODD's section ``number`` (a link target for other pages).

    Args:
        number: The section's number.

    Returns:
        Its page's path under the docs, e.g. ``model/10-parameters.md``.
    """
    for page in odd_pages()[1:]:
        if page.title.startswith(f"{number}. "):
            return page.path
    raise LookupError(f"docs/ODD.md has no section {number}")


#: How the ODD writes its operators and letters, and how LaTeX does.
_SYMBOLS = {
    "←": r"\leftarrow ",
    "·": r"\cdot ",
    "−": "-",
    "×": r"\times ",
    "Σ": r"\sum ",
    "≥": r"\geq ",
    "≤": r"\leq ",
    "θ": r"\theta ",
    "μ": r"\mu ",
    "σ": r"\sigma ",
    "²": "^{2}",
    "~": r"\sim ",
    "{": r"\{",
    "}": r"\}",
}
#: Functions the ODD's equations call, set upright as LaTeX sets ``\max``.
_FUNCTIONS = {"clip", "min", "max", "exp", "ln", "floor", "ceil", "round", "rint", "LogNormal"}
#: A barred letter with its subscript (``S̄_circle``), a name, a run of spaces, or a symbol.
_TOKEN = re.compile(r"([A-Za-z])\u0304(?:_([A-Za-z0-9,]+))?|([A-Za-z][A-Za-z0-9_]*)|(\s+)|(.)")
#: The left side of an equation line: one name, perhaps barred, subscripted or called.
_LEFT_SIDE = re.compile(r"^\s*[A-Za-z][A-Za-z0-9_]*\u0304?(_[A-Za-z0-9]+)?\s*$")
#: Three words in a row: prose, which an equation block of the ODD is not turned into.
_PROSE = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}")


def _upright(text: str) -> str:
    return text if len(text) == 1 else r"\mathrm{" + text.replace("_", r"\_") + "}"


def _name(word: str) -> str:
    """A name of an equation in LaTeX: ``x_i``, ``exposure_gain``, ``will_o``, ``clip``.

    A parameter's name is set whole; otherwise what follows the last underscore is a
    subscript when it is an index (a letter or two) or the name before it is one letter.
    """
    if word in _FUNCTIONS:
        return r"\operatorname{" + word + "}"
    base, _, subscript = word.rpartition("_")
    if word in PARAMETER_NAMES or not base or (len(base) > 1 and len(subscript) > 2):
        return _upright(word)
    return f"{_upright(base)}_{{{_upright(subscript)}}}"


def equation_latex(line: str) -> str:
    """One line of an ODD equation in LaTeX, aligned at its first ``←`` or ``=``.

    Args:
        line: As the ODD writes it, e.g. ``E ← clip(E + exposure_gain · x · (1 − E))``.

    Returns:
        The line for an ``aligned`` environment (a continuation line is indented).
    """
    text = line.strip()
    parts, aligned, previous = [], False, ""
    for match in _TOKEN.finditer(text):
        barred, bar_subscript, word, space, symbol = match.groups()
        if barred:
            parts.append(r"\bar{" + barred + "}")
            parts.append(f"_{{{_upright(bar_subscript)}}}" if bar_subscript else "")
        elif word:
            parts.append(_name(word))
        elif space:
            following = text[match.end() : match.end() + 1]
            # Two words in a row ("peer share_o") keep their space; math mode drops it.
            parts.append(r"\ " if previous == "name" and following.isalpha() else " ")
            continue
        elif symbol in "←=" and not aligned:
            parts.append("&" + _SYMBOLS.get(symbol, symbol))
            aligned = True
        else:
            parts.append(_SYMBOLS.get(symbol, symbol))
        previous = "name" if (barred or word) else "symbol"
    return ("" if aligned else r"&\quad ") + "".join(parts)


def _is_equation_block(lines: list[str]) -> bool:
    if not lines or any(_PROSE.search(line) for line in lines):
        return False
    for line in lines:
        equation = re.match(r"^(.*?)(←|=)", line)
        if equation and not _LEFT_SIDE.match(equation.group(1)):
            return False
        if not equation and not re.match(r"^\s+[+−-]", line):
            return False
    return True


def _as_math(lines: list[str]) -> list[str]:
    body = " \\\\\n".join(equation_latex(line) for line in lines)
    return ["$$", "\\begin{aligned}", *body.split("\n"), "\\end{aligned}", "$$"]


def equations_as_math(text: str) -> str:
    """The ODD's equation blocks typeset as display math; other code blocks as they are.

    The ODD writes its equations in plain-text code blocks (readable in any viewer). A
    block without a language whose every line is ``name ← ...`` or ``name = ...`` (or a
    continuation that starts with an operator), with no prose in it, becomes an
    ``aligned`` display equation, which the site's MathJax typesets; any other block
    stays code.

    Args:
        text: Markdown of the ODD or a page of it.

    Returns:
        The same Markdown with those blocks as ``$$ ... $$``.
    """
    out: list[str] = []
    block: list[str] | None = None  # the lines of an open plain block
    fence: str | None = None  # the opening line of an open block with a language
    for line in text.split("\n"):
        if fence is not None:
            out.append(line)
            fence = None if line.strip() == "```" else fence
        elif block is not None:
            if line.strip() == "```":
                shown = [item for item in block if item.strip()]
                if _is_equation_block(shown):
                    out.extend(_as_math(shown))
                else:
                    out.extend(["```", *block, "```"])
                block = None
            else:
                block.append(line)
        elif line.strip() == "```":
            block = []
        else:
            out.append(line)
            fence = line if line.lstrip().startswith("```") else None
    if block is not None:  # an unclosed block: leave it as written
        out.extend(["```", *block])
    return "\n".join(out)


def _commands(group: click.Group) -> list[tuple[str, click.Command]]:
    return [(name, group.commands[name]) for name in group.list_commands(click.Context(group))]


def command_help(command: click.Command, path: str) -> str:
    """A command's ``--help`` text, exactly as the command line prints it.

    Args:
        command: The click command (typer builds one per command).
        path: How it is called, e.g. ``lewsim run``.

    Returns:
        The help text.
    """
    with click.Context(command, info_name=path, terminal_width=100) as context:
        return command.get_help(context)


def cli_page() -> str:
    """The command-line reference: ``lewsim --help`` and every command's ``--help``."""
    from simulation.cli import app

    group = typer.main.get_command(app)
    lines = [
        "# Command line",
        "",
        "Generated from the `lewsim` command itself when the site is built: each block is what",
        "`--help` prints, so this page cannot drift from the program.",
        "",
        "```text",
        command_help(group, "lewsim"),
        "```",
    ]
    for name, command in _commands(group):
        lines += ["", f"## lewsim {name}", "", "```text", command_help(command, f"lewsim {name}")]
        lines.append("```")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def odd_parameter_sources(text: str | None = None) -> dict[str, str]:
    """Each parameter's "source or reason" cell in the ODD's table (section 10).

    Args:
        text: The ODD's Markdown (default: ``docs/ODD.md``).

    Returns:
        Parameter name to its source, for the rows the table has.
    """
    text = ODD.read_text(encoding="utf-8") if text is None else text
    sources = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 5:
            sources[cells[0].strip("`")] = cells[4]
    return sources


def parameters_page() -> str:
    """Every parameter as ``lewsim params`` lists it, with the ODD's source of its default."""
    from simulation.cli.params import parameter_records

    sources = odd_parameter_sources()
    lines = [
        "# Parameters",
        "",
        "Generated when the site is built from `simulation.Parameters` (the same records as",
        "`lewsim params --json`) and the source column of the ODD's table",
        f"([section 10](../{odd_page_path(10)})). Any parameter can be set with",
        "`lewsim run --set NAME=VALUE`, in a scenario file's `[parameters]` table, or as a",
        "keyword argument of `SectorModel`, `simulate` and `experiment`. Rates are per month.",
        "",
        "| name | default | range | unit | meaning | source or reason |",
        "|---|---|---|---|---|---|",
    ]
    for record in parameter_records():
        default = json.dumps(record["default"])
        cells = [f"`{record['name']}`", f"`{default}`", record["range"], record["unit"]]
        cells += [record["meaning"], sources.get(record["name"], "")]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


#: What each part of ``docs/figures.json`` measures (a part not named here is shown by its key).
FIGURE_PARTS = {
    "default_run": "The default run (`make run`): the sector at months 0 and 120.",
    "magnitudes": "Sizes against sourced ranges (ODD section 10.5).",
    "negative_control": "The negative control of pattern 2: adoption with learning on and frozen.",
    "hindcast": "The run from 2011 at the defaults against the national figures (section 10.2).",
    "stories": "The app's three stories (seed 1), with and without their event.",
    "comparison": "The README's comparison: difference from the baseline in peer workers, year 10.",
    "sweep": "Sobol indices of the `sobol-levers` sweep (S1 alone, ST with interactions).",
}
#: Keys of ``docs/figures.json`` that are bookkeeping, not results.
FIGURE_BOOKKEEPING = {"fingerprint", "command", "quotes"}


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _flatten(item, f"{prefix}{key}.")]
    return [(prefix.rstrip("."), value)]


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return _cell(value)


def _records_table(rows: list[dict[str, Any]]) -> list[str]:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_shown(row.get(column, "")) for column in columns) + " |")
    return lines


def validation_page(figures: dict[str, Any] | None = None) -> str:
    """The numbers of ``docs/figures.json``, a table per part, as ``make figures`` wrote them.

    Args:
        figures: The parsed file (default: read ``docs/figures.json``).

    Returns:
        The page's Markdown.
    """
    if figures is None:
        figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    lines = [
        "# Validation results",
        "",
        "Generated when the site is built from `docs/figures.json`, which",
        f"`{figures.get('command', 'make figures')}` writes: every number the README and the ODD",
        "quote, measured. What was tested and how, and what was found, is in",
        f"[the ODD's section 13]({odd_page_path(13)}); the calibration in",
        f"[section 10]({odd_page_path(10)}). To reproduce the",
        "validation itself, run `make validate` (about 3.5 minutes on 2 cores).",
        "",
        f"Fingerprint of the figures: `{figures.get('fingerprint', 'none')}`.",
    ]
    for key, part in figures.items():
        if key in FIGURE_BOOKKEEPING:
            continue
        lines += ["", f"## {key.replace('_', ' ').capitalize()}", ""]
        lines += [FIGURE_PARTS.get(key, f"`{key}`"), ""]
        if isinstance(part, dict) and isinstance(part.get("rows"), list):
            lines += _records_table(part["rows"])
        else:
            lines += ["| measure | value |", "|---|---|"]
            lines += [f"| `{name}` | {_shown(value)} |" for name, value in _flatten(part)]
    return "\n".join(lines) + "\n"


def changelog_page() -> str:
    """``CHANGELOG.md`` as it is."""
    return CHANGELOG.read_text(encoding="utf-8")


def citation_page() -> str:
    """How to cite lewsim and the study, from ``CITATION.cff``."""
    citation = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    authors = ", ".join(_person(author) for author in citation["authors"])
    lines = [
        "# Citation",
        "",
        "If you use lewsim, please cite it (generated from `CITATION.cff`):",
        "",
        f"> {authors}. *{citation['title']}*, version {citation['version']}."
        + (f" {citation['url']}" if citation.get("url") else ""),
        "",
    ]
    for reference in citation.get("references", []):
        people = ", ".join(_person(author) for author in reference["authors"])
        lines += [
            "and the study whose findings it turns into mechanisms:",
            "",
            f"> {people} ({reference['year']}). {reference['title']}. "
            f"*{reference['journal']}*, {reference['volume']}, "
            f"{reference['start']}-{reference['end']}. doi:{reference['doi']}",
            "",
        ]
    lines += ["The file itself:", "", "```yaml", CITATION.read_text(encoding="utf-8"), "```"]
    return "\n".join(lines) + "\n"


def _person(author: dict[str, str]) -> str:
    if "family-names" in author:
        return f"{author['family-names']}, {author.get('given-names', '')}".strip(", ")
    return author["name"]


def all_pages() -> dict[str, str]:
    """Every generated page but the tutorials: site path to Markdown."""
    pages = {page.path: equations_as_math(page.text) for page in odd_pages()}
    pages["reference/cli.md"] = cli_page()
    pages["reference/parameters.md"] = parameters_page()
    pages["validation.md"] = validation_page()
    pages["changelog.md"] = changelog_page()
    pages["citation.md"] = citation_page()
    return pages
