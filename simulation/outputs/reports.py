"""Self-contained HTML reports: headings, text, tables, figures and provenance.

A :class:`Report` collects blocks in order and renders them as one HTML file that needs
nothing else: the style sheet is inline, figures are embedded as base64 PNG ``data:``
URIs, and there are no scripts, web fonts or links to other files, so the report can be
emailed or archived on its own. :meth:`Report.write` also saves each figure as a separate
PNG next to ``report.html``, together with any data files the caller adds, atomically
(see :func:`simulation.outputs.files.write_directory`).

Example::

    report = Report("Pattern validation", subtitle="12 seeds, 120 months")
    report.contents()
    report.heading("Patterns")
    report.paragraph("Each pattern is **met** when ...")
    report.table(patterns, caption="Patterns", cell_classes=verdict_class)
    report.figure(figure, "peer_workers", caption="Peer workers over time")
    report.heading("Provenance")
    report.provenance(manifest)
    report.write("results/validate", {"patterns.csv": patterns.to_csv(index=False)})
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation import __version__
from simulation.outputs.files import REPORT_HTML, write_directory
from simulation.outputs.manifest import to_jsonable

#: CSS classes for table cells that :meth:`Report.table` callers may return.
CELL_CLASSES: tuple[str, ...] = ("good", "bad", "warn", "muted")

#: Manifest entries shown by :meth:`Report.provenance`, in order, with their labels.
PROVENANCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("lewsim_version", "lewsim version"),
    ("git_commit", "Git commit"),
    ("git_dirty", "Uncommitted changes"),
    ("python_version", "Python"),
    ("platform", "Platform"),
    ("command_line", "Command line"),
    ("started_at", "Started (UTC)"),
    ("wall_time_seconds", "Wall time"),
    ("steps", "Months per replication"),
    ("replications", "Replications"),
    ("seed", "Root seed"),
    ("seeds", "Seeds"),
)

_FIGURE_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ANCHOR = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_MISSING = "\N{EN DASH}"

_CSS = """
:root { --rule: #c8c8c8; --faint: #f4f4f4; --text: #1a1a1a; --muted: #6b6b6b; }
* { box-sizing: border-box; }
body {
  margin: 0 auto; padding: 1.5rem 1.25rem 3rem; max-width: 62rem;
  font: 15px/1.5 -apple-system, "Segoe UI", "Helvetica Neue", Helvetica, Arial, sans-serif;
  color: var(--text); background: #fff;
}
header { border-bottom: 2px solid var(--text); margin-bottom: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 0.25rem; line-height: 1.25; }
.subtitle { margin: 0 0 0.75rem; color: var(--muted); font-size: 1.05rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.6rem; padding-bottom: 0.2rem;
  border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
h4, h5, h6 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
p, ul { margin: 0 0 0.8rem; }
code, pre { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em; }
code { background: var(--faint); padding: 0 0.2em; border-radius: 2px; }
pre { background: var(--faint); border: 1px solid var(--rule); padding: 0.6rem 0.8rem;
  overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
nav.toc { border: 1px solid var(--rule); padding: 0.5rem 1rem; margin-bottom: 1.5rem;
  display: inline-block; min-width: 16rem; }
nav.toc h2 { font-size: 1rem; border: 0; margin: 0.2rem 0; }
nav.toc ol { margin: 0; padding-left: 1.4rem; }
a { color: #1f4e8c; }
.table-wrap { overflow-x: auto; margin: 0 0 1.2rem; }
table { border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; padding: 0 0 0.35rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
thead th { border-bottom: 1.5px solid var(--text); font-weight: 600; }
tbody th { font-weight: normal; }
td.num, th.num { text-align: right; white-space: nowrap; }
.good { background: #e3f2e1; color: #1d5e1d; }
.bad { background: #fbe3e1; color: #8b1c13; font-weight: 600; }
.warn { background: #fdf1d6; color: #7a5200; }
.muted { color: var(--muted); }
figure { margin: 0 0 1.4rem; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--faint); }
figcaption { font-size: 0.9rem; margin-top: 0.35rem; }
figure.listing figcaption { margin: 0 0 0.35rem; }
.label { font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem;
  margin: 0 0 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
details { margin: 0 0 1rem; }
summary { cursor: pointer; color: var(--muted); }
footer { margin-top: 3rem; padding-top: 0.5rem; border-top: 1px solid var(--rule);
  color: var(--muted); font-size: 0.85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  .table-wrap { overflow: visible; }
  tr, pre { break-inside: avoid; page-break-inside: avoid; }
  .good, .bad, .warn, code, pre { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
  summary { display: none; }
}
"""


class _Contents:
    """Placeholder for the table of contents, filled in when the report is rendered."""


class Report:
    """A self-contained HTML report built block by block.

    Blocks appear in the order the methods are called. All text is HTML-escaped;
    :meth:`paragraph` and :meth:`bullets` understand ``**bold**`` and ```code``` only.

    Args:
        title: The report's title (the page's ``<h1>`` and ``<title>``).
        subtitle: An optional line under the title.

    Attributes:
        title: The report's title.
        subtitle: The line under the title, if any.
        created_at: When the report was created (UTC); shown in the footer.
    """

    def __init__(self, title: str, subtitle: str | None = None) -> None:
        self.title = title
        self.subtitle = subtitle
        self.created_at = datetime.now(UTC)
        self._blocks: list[str | _Contents] = []
        self._pngs: dict[str, bytes] = {}
        self._anchors: set[str] = set()
        self._sections: list[tuple[str, str]] = []  # (anchor, text) of level-2 headings
        self._tables = 0
        self._figures = 0

    def heading(self, text: str, level: int = 2, anchor: str | None = None) -> None:
        """Add a section heading.

        Args:
            text: The heading text.
            level: 2 for a section (listed in the table of contents), up to 6.
            anchor: The heading's ``id`` for links (a letter, then letters, digits, ``_``
                or ``-``); by default derived from ``text`` and made unique.

        Raises:
            ValueError: For a level outside 2..6 (1 is the title), or an anchor that is
                malformed or already used.
        """
        if not 2 <= level <= 6:
            raise ValueError(f"heading level must be 2 to 6 (1 is the title), got {level}")
        if anchor is None:
            anchor = _unique(_slug(text), self._anchors)
        elif not _ANCHOR.fullmatch(anchor):
            raise ValueError(
                f"anchor {anchor!r} must be a letter followed by letters, digits, '_' or '-'"
            )
        elif anchor in self._anchors:
            raise ValueError(f"anchor {anchor!r} is already used in this report")
        self._anchors.add(anchor)
        if level == 2:
            self._sections.append((anchor, text))
        self._blocks.append(f'<h{level} id="{anchor}">{_escape(text)}</h{level}>')

    def paragraph(self, text: str) -> None:
        """Add a paragraph of text with optional ``**bold**`` and ```code``` markup.

        Args:
            text: The paragraph; everything else is shown literally.
        """
        self._blocks.append(f"<p>{_inline(text)}</p>")

    def bullets(self, items: Sequence[str]) -> None:
        """Add a bulleted list; items accept the same markup as :meth:`paragraph`.

        Args:
            items: The list items.
        """
        if isinstance(items, str):
            raise TypeError("bullets() takes a sequence of strings, not one string")
        lines = "".join(f"<li>{_inline(item)}</li>\n" for item in items)
        self._blocks.append(f"<ul>\n{lines}</ul>")

    def table(
        self,
        frame: pd.DataFrame,
        caption: str | None = None,
        *,
        float_format: str = "{:.3g}",
        cell_classes: Callable[[str, Any], str | None] | None = None,
    ) -> None:
        """Add a table of a data frame.

        The index is shown (as leading row-header columns) only if it is named. Floats
        are formatted with ``float_format``; missing values show as a dash; numbers are
        right-aligned.

        Args:
            frame: The data.
            caption: Shown above the table as "Table N. caption".
            float_format: A :meth:`str.format` pattern for floating-point values.
            cell_classes: Called as ``cell_classes(column, value)`` for every body cell
                (index columns included) with the column's label and the raw value;
                returns CSS classes for the cell, such as ``"good"``, ``"bad"``, ``"warn"``
                or ``"muted"`` (see :data:`CELL_CLASSES`), or ``None``.
        """
        index_names = [name for name in frame.index.names if name is not None]
        shown = frame.reset_index() if index_names else frame
        n_index = frame.index.nlevels if index_names else 0
        labels = [_column_label(column) for column in shown.columns]
        numeric = [_is_numeric_dtype(shown.iloc[:, i]) for i in range(shown.shape[1])]
        head = "".join(
            f'<th scope="col"{_class_attr(["num"] if is_number else [])}>{_escape(label)}</th>'
            for label, is_number in zip(labels, numeric, strict=True)
        )
        rows = []
        for values in shown.itertuples(index=False, name=None):
            cells = []
            for position, (label, value) in enumerate(zip(labels, values, strict=True)):
                text, classes = _format_cell(value, float_format)
                if cell_classes is not None:
                    extra = cell_classes(label, value)
                    if extra:
                        classes.extend(extra.split())
                tag = "th" if position < n_index else "td"
                scope = ' scope="row"' if tag == "th" else ""
                cells.append(f"<{tag}{scope}{_class_attr(classes)}>{_escape(text)}</{tag}>")
            rows.append(f"<tr>{''.join(cells)}</tr>\n")
        self._tables += 1
        caption_html = (
            f'<caption><span class="label">Table {self._tables}.</span> '
            f"{_escape(caption)}</caption>\n"
            if caption
            else ""
        )
        self._blocks.append(
            f'<div class="table-wrap"><table>\n{caption_html}'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{''.join(rows)}</tbody>\n</table></div>"
        )

    def figure(self, figure: Figure, name: str, caption: str | None = None, dpi: int = 110) -> None:
        """Add a figure, embedded as a PNG image.

        The figure is rendered once, here; later changes to it do not show. The PNG is
        also kept as ``name + ".png"`` (see :attr:`pngs`) and saved by :meth:`write`.

        Args:
            figure: A Matplotlib figure (built without ``pyplot``).
            name: The PNG's file stem: letters, digits, ``_`` and ``-``, unique in the
                report.
            caption: Shown below the figure as "Figure N. caption".
            dpi: Resolution of the PNG.

        Raises:
            ValueError: If ``name`` is not a safe file stem or is already used.
        """
        if not isinstance(name, str) or not _FIGURE_NAME.fullmatch(name):
            raise ValueError(
                f"figure name {name!r} must be a file stem of letters, digits, '_' and '-'"
            )
        file_name = f"{name}.png"
        if file_name in self._pngs:
            raise ValueError(f"figure name {name!r} is already used in this report")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        png = buffer.getvalue()
        self._pngs[file_name] = png
        self._figures += 1
        encoded = base64.b64encode(png).decode("ascii")
        alt = caption or name
        caption_html = f" {_escape(caption)}" if caption else ""
        self._blocks.append(
            f'<figure id="figure-{name}">\n'
            f'<img src="data:image/png;base64,{encoded}" alt="{_escape(alt)}">\n'
            f'<figcaption><span class="label">Figure {self._figures}.</span>{caption_html} '
            f'<span class="muted">({file_name})</span></figcaption>\n</figure>'
        )

    def preformatted(self, text: str, caption: str | None = None) -> None:
        """Add literal text in a monospaced block, such as a scenario file.

        Args:
            text: The text, shown as is (escaped).
            caption: Shown above the block.
        """
        caption_html = f"<figcaption>{_escape(caption)}</figcaption>\n" if caption else ""
        listing = f"<pre>{_escape(text, quote=False)}</pre>"
        self._blocks.append(f'<figure class="listing">\n{caption_html}{listing}\n</figure>')

    def provenance(self, manifest: Mapping[str, Any]) -> None:
        """Add the key facts of how the results were made, and the full manifest.

        Shows the entries of :data:`PROVENANCE_FIELDS` that ``manifest`` has (the number
        of ``seeds`` rather than the list) as a definition list, followed by the whole
        manifest as JSON in a collapsed ``<details>`` block. Add a heading first if
        wanted.

        Args:
            manifest: Run metadata, such as :func:`simulation.outputs.manifest.build_manifest`
                returns.

        Raises:
            TypeError: If the manifest holds a value with no JSON representation.
        """
        full = json.dumps(to_jsonable(manifest), indent=2, allow_nan=False)
        facts = []
        for key, label in PROVENANCE_FIELDS:
            if key in manifest:
                text, classes = _format_fact(key, manifest[key])
                value_html = f"<dd{_class_attr(classes)}>{_escape(text)}</dd>"
                facts.append(f"<dt>{_escape(label)}</dt>{value_html}\n")
        facts_html = f'<dl class="facts">\n{"".join(facts)}</dl>\n' if facts else ""
        self._blocks.append(
            f"{facts_html}<details><summary>Full manifest (JSON)</summary>\n"
            f"<pre>{_escape(full, quote=False)}</pre>\n</details>"
        )

    def contents(self) -> None:
        """Mark where a table of contents of the level-2 headings goes.

        Raises:
            ValueError: If the report already has one.
        """
        if any(isinstance(block, _Contents) for block in self._blocks):
            raise ValueError("the report already has a table of contents")
        self._blocks.append(_Contents())

    @property
    def pngs(self) -> dict[str, bytes]:
        """The figures' PNG files so far, by file name (``name + ".png"``), in order."""
        return dict(self._pngs)

    def html(self) -> str:
        """Render the report as one complete, self-contained HTML document.

        Returns:
            The document text.
        """
        body = "\n".join(
            self._contents_html() if isinstance(block, _Contents) else block
            for block in self._blocks
        )
        subtitle = f'<p class="subtitle">{_escape(self.subtitle)}</p>\n' if self.subtitle else ""
        stamp = self.created_at.strftime("%Y-%m-%d %H:%M UTC")
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="lewsim {_escape(__version__)}">\n'
            f"<title>{_escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<header>\n<h1>{_escape(self.title)}</h1>\n{subtitle}</header>\n"
            f"<main>\n{body}\n</main>\n"
            f"<footer>Generated by lewsim {_escape(__version__)} on {stamp}.</footer>\n"
            "</body>\n</html>\n"
        )

    def write(
        self,
        out_dir: str | os.PathLike[str],
        extra_files: Mapping[str, bytes | str] | None = None,
        *,
        replace: bool = False,
    ) -> Path:
        """Write ``report.html``, every figure's PNG and ``extra_files`` atomically.

        Args:
            out_dir: Results directory; created if missing, replaced if it holds previous
                lewsim results (see :func:`simulation.outputs.files.check_destination`).
            extra_files: More files by name, such as ``"patterns.csv"``, and the
                ``"manifest.json"`` every result carries (``.html``, ``.png``, ``.csv``,
                ``.json`` or ``.parquet``); text is written as UTF-8.
            replace: Whether an earlier lewsim result in ``out_dir`` may be replaced.

        Returns:
            The absolute path of the results directory.

        Raises:
            ValueError: If an extra file's name clashes with the report's own files or is
                not allowed; nothing is written then.
            simulation.errors.OutputError: If ``out_dir`` cannot be used or writing fails;
                nothing is left half-written.
        """
        files: dict[str, bytes | str] = {REPORT_HTML: self.html(), **self._pngs}
        for name, content in (extra_files or {}).items():
            if name in files:
                raise ValueError(f"extra file {name!r} clashes with the report's own files")
            files[name] = content
        return write_directory(out_dir, files, replace=replace)

    def _contents_html(self) -> str:
        """The table of contents of the level-2 headings."""
        items = "".join(
            f'<li><a href="#{anchor}">{_escape(text)}</a></li>\n' for anchor, text in self._sections
        )
        return f'<nav class="toc">\n<h2>Contents</h2>\n<ol>\n{items}</ol>\n</nav>'


def _escape(text: object, quote: bool = True) -> str:
    """HTML-escape text; quotes too unless ``quote`` is false (element content only)."""
    return html.escape(str(text), quote=quote)


def _inline(text: str) -> str:
    """Escape text and apply the ``**bold**`` and ```code``` markup."""
    parts = _CODE.split(str(text))
    # split() with one group alternates plain text (even positions) and code (odd).
    rendered = []
    for position, part in enumerate(parts):
        if position % 2:
            rendered.append(f"<code>{_escape(part)}</code>")
        else:
            rendered.append(_BOLD.sub(r"<strong>\1</strong>", _escape(part)))
    return "".join(rendered)


def _slug(text: str) -> str:
    """An anchor derived from heading text."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return f"s-{slug}" if slug and not slug[0].isalpha() else slug or "section"


def _unique(anchor: str, used: set[str]) -> str:
    """``anchor``, or ``anchor-2``, ``anchor-3``... if it is taken."""
    candidate, number = anchor, 1
    while candidate in used:
        number += 1
        candidate = f"{anchor}-{number}"
    return candidate


def _column_label(column: Any) -> str:
    """A column's header text; levels of a MultiIndex column are joined with " / "."""
    if isinstance(column, tuple):
        return " / ".join(str(level) for level in column if str(level))
    return str(column)


def _is_numeric_dtype(series: pd.Series) -> bool:
    """Whether a column holds numbers (booleans excluded)."""
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _format_cell(value: Any, float_format: str) -> tuple[str, list[str]]:
    """A cell's text and its default CSS classes."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return _MISSING, ["muted"]
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), []
    if isinstance(value, int | np.integer):
        return str(value), ["num"]
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return str(float(value)).replace("inf", "\N{INFINITY}"), ["num"]
        return float_format.format(value), ["num"]
    return str(value), []


def _format_fact(key: str, value: Any) -> tuple[str, list[str]]:
    """A provenance entry's text and CSS classes."""
    if value is None:
        return "unknown", ["muted"]
    if key == "git_dirty":
        return ("yes: results may not match the commit", ["warn"]) if value else ("no", [])
    if key == "wall_time_seconds" and isinstance(value, int | float):
        return f"{value:.1f} s", []
    if key == "seeds" and isinstance(value, Sequence) and not isinstance(value, str):
        return f"{len(value)} (listed in the manifest)", []
    return str(value), []


def _class_attr(classes: Sequence[str]) -> str:
    """A ``class`` attribute for the given classes, or nothing."""
    unique = list(dict.fromkeys(classes))
    return f' class="{_escape(" ".join(unique))}"' if unique else ""
