"""Self-contained HTML reports: headings, text, tables, figures and provenance.

A :class:`Report` collects blocks in order and renders them with the Jinja2 template
``templates/report.html.j2`` (autoescaping on) as one HTML file that needs nothing else:
the style sheet (``templates/report.css``) is inline, tables are rendered by pandas'
:class:`~pandas.io.formats.style.Styler`, figures are embedded as base64 PNG ``data:``
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from simulation import __version__
from simulation.core.wording import is_boolean, is_integer, is_number
from simulation.outputs.files import REPORT_HTML, write_directory
from simulation.outputs.manifest import to_jsonable

#: CSS classes for table cells (and callout tones) that callers may use.
CELL_CLASSES: tuple[str, ...] = ("good", "bad", "warn", "muted")

#: The page template and the style sheet it inlines, in ``simulation/outputs/templates``.
PAGE_TEMPLATE = "report.html.j2"

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
# pandas' Styler puts a table's own rules in a <style> element before the table; the page
# moves them into the head, where <style> belongs.
_STYLER_STYLE = re.compile(r'^\s*<style type="text/css">\n?(.*?)</style>\s*', re.DOTALL)


@dataclass(frozen=True)
class _Block:
    """One block of a report: its kind (which part of the template renders it) and data."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # The template reads block.text, block.level...; unknown names are a template bug.
        try:
            return self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name) from None


class Report:
    """A self-contained HTML report built block by block.

    Blocks appear in the order the methods are called. All text is HTML-escaped;
    :meth:`paragraph`, :meth:`bullets` and :meth:`callout` understand ``**bold**`` and
    ```code``` only.

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
        self._blocks: list[_Block] = []
        self._pngs: dict[str, bytes] = {}
        self._anchors: set[str] = set()
        self._sections: list[tuple[str, str]] = []  # (anchor, text) of level-2 headings
        self._table_css: list[str] = []
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
            self._sections.append((anchor, str(text)))
        self._add("heading", level=level, anchor=anchor, text=str(text))

    def paragraph(self, text: str) -> None:
        """Add a paragraph of text with optional ``**bold**`` and ```code``` markup.

        Args:
            text: The paragraph; everything else is shown literally.
        """
        self._add("paragraph", text=str(text))

    def bullets(self, items: Sequence[str]) -> None:
        """Add a bulleted list; items accept the same markup as :meth:`paragraph`.

        Args:
            items: The list items.

        Raises:
            TypeError: If ``items`` is one string rather than a sequence of them.
        """
        if isinstance(items, str):
            raise TypeError("bullets() takes a sequence of strings, not one string")
        self._add("bullets", items=[str(item) for item in items])

    def callout(self, items: Sequence[str], title: str | None = None, tone: str = "") -> None:
        """Add a boxed note that stands out from the text, such as warnings to read first.

        Args:
            items: Its sentences (one is shown as a paragraph, several as a list); they
                accept the same markup as :meth:`paragraph`.
            title: A bold line above them.
            tone: ``""`` or one of :data:`CELL_CLASSES` (``"warn"`` marks the box amber).

        Raises:
            TypeError: If ``items`` is one string rather than a sequence of them.
            ValueError: If there are no items or the tone is unknown.
        """
        if isinstance(items, str):
            raise TypeError("callout() takes a sequence of strings, not one string")
        if not items:
            raise ValueError("a callout needs at least one item")
        if tone and tone not in CELL_CLASSES:
            raise ValueError(f"tone {tone!r} is not one of {', '.join(CELL_CLASSES)}")
        self._add("callout", items=[str(item) for item in items], title=title, tone=tone)

    def table(
        self,
        frame: pd.DataFrame,
        caption: str | None = None,
        *,
        float_format: str = "{:.3g}",
        cell_classes: Callable[[str, Any], str | None] | None = None,
        classes: pd.DataFrame | None = None,
    ) -> None:
        """Add a table of a data frame, rendered by pandas' Styler.

        The index is shown (as leading columns in bold) only if it is named. Floats are
        formatted with ``float_format``, booleans as yes/no; missing values show as a
        dash; numbers are right-aligned. The table is rendered here: later changes to
        ``frame`` do not show.

        Args:
            frame: The data.
            caption: Shown above the table as "Table N. caption".
            float_format: A :meth:`str.format` pattern for floating-point values.
            cell_classes: Called as ``cell_classes(column, value)`` for every body cell
                (index columns included) with the column's label and the raw value;
                returns CSS classes for the cell, such as ``"good"``, ``"bad"``, ``"warn"``
                or ``"muted"`` (see :data:`CELL_CLASSES`), or ``None``.
            classes: CSS classes by cell, as a frame of strings with ``frame``'s shape (its
                index and columns are ignored; index columns are not covered), added to
                those of ``cell_classes``.

        Raises:
            ValueError: If ``classes`` does not have the shape of ``frame``.
        """
        if classes is not None and classes.shape != frame.shape:
            raise ValueError(
                f"classes has shape {classes.shape}, but the table has shape {frame.shape}"
            )
        index_names = [name for name in frame.index.names if name is not None]
        shown = frame.reset_index() if index_names else frame
        n_index = frame.index.nlevels if index_names else 0
        labels = [_column_label(column) for column in shown.columns]
        # Positional column labels: Styler needs unique ones, and the real labels may repeat.
        data = shown.set_axis(range(shown.shape[1]), axis="columns").reset_index(drop=True)
        numeric = [_is_numeric_dtype(data[position]) for position in data.columns]

        css = pd.DataFrame("", index=data.index, columns=data.columns)
        for position, label in enumerate(labels):
            for row, value in enumerate(data[position]):
                found = _default_classes(value)
                if position < n_index:
                    found.append("rowhead")
                if cell_classes is not None:
                    found.extend((cell_classes(label, value) or "").split())
                if classes is not None and position >= n_index:
                    found.extend(str(classes.iat[row, position - n_index] or "").split())
                css.iat[row, position] = " ".join(dict.fromkeys(found))

        self._tables += 1
        uuid = f"table{self._tables}"
        styler = (
            Styler(data, uuid=uuid, cell_ids=False)
            .hide(axis="index")
            .format(lambda value: html.escape(_cell_text(value, float_format)))
            .relabel_index([html.escape(label) for label in labels], axis="columns")
            .set_td_classes(css)
            .set_table_styles(
                [
                    {"selector": f"th.col{position}", "props": "text-align: right;"}
                    for position, is_number in enumerate(numeric)
                    if is_number
                ]
            )
        )
        if caption:
            styler = styler.set_caption(
                f'<span class="label">Table {self._tables}.</span> {html.escape(caption)}'
            )
        rendered = styler.to_html()
        style = _STYLER_STYLE.match(rendered)
        if style:
            if style.group(1).strip():
                self._table_css.append(style.group(1).strip())
            rendered = rendered[style.end() :]
        self._add("table", html=Markup(rendered.strip()), number=self._tables)

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
        self._add(
            "figure",
            name=name,
            number=self._figures,
            caption=caption,
            png_base64=base64.b64encode(png).decode("ascii"),
        )

    def preformatted(self, text: str, caption: str | None = None) -> None:
        """Add literal text in a monospaced block, such as a scenario file.

        Args:
            text: The text, shown as is (escaped).
            caption: Shown above the block.
        """
        self._add("preformatted", text=str(text), caption=caption)

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
                facts.append((label, text, " ".join(classes)))
        self._add("provenance", facts=facts, manifest_json=full)

    def contents(self) -> None:
        """Mark where a table of contents of the level-2 headings goes.

        Raises:
            ValueError: If the report already has one.
        """
        if any(block.kind == "contents" for block in self._blocks):
            raise ValueError("the report already has a table of contents")
        self._add("contents")

    @property
    def pngs(self) -> dict[str, bytes]:
        """The figures' PNG files so far, by file name (``name + ".png"``), in order."""
        return dict(self._pngs)

    def html(self) -> str:
        """Render the report as one complete, self-contained HTML document.

        Returns:
            The document text.
        """
        return (
            _environment()
            .get_template(PAGE_TEMPLATE)
            .render(
                title=self.title,
                subtitle=self.subtitle,
                version=__version__,
                created=self.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                blocks=self._blocks,
                sections=self._sections,
                table_css=[Markup(css) for css in self._table_css],
            )
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
            simulation.core.errors.OutputError: If ``out_dir`` cannot be used or writing fails;
                nothing is left half-written.
        """
        files: dict[str, bytes | str] = {REPORT_HTML: self.html(), **self._pngs}
        for name, content in (extra_files or {}).items():
            if name in files:
                raise ValueError(f"extra file {name!r} clashes with the report's own files")
            files[name] = content
        return write_directory(out_dir, files, replace=replace)

    def _add(self, kind: str, **data: Any) -> None:
        self._blocks.append(_Block(kind, data))


@cache
def _environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates (built once, on first use)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("simulation.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["inline"] = _inline
    environment.filters["content"] = _content
    return environment


def _inline(text: str) -> Markup:
    """Escape text and apply the ``**bold**`` and ```code``` markup."""
    parts = _CODE.split(str(text))
    # split() with one group alternates plain text (even positions) and code (odd).
    rendered = []
    for position, part in enumerate(parts):
        if position % 2:
            rendered.append(f"<code>{html.escape(part)}</code>")
        else:
            rendered.append(_BOLD.sub(r"<strong>\1</strong>", html.escape(part)))
    return Markup("".join(rendered))


def _content(text: str) -> Markup:
    """Escape text for element content, leaving quotes readable (as in a listing)."""
    return Markup(html.escape(str(text), quote=False))


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


def _is_missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _cell_text(value: Any, float_format: str) -> str:
    """A cell's text (not yet escaped)."""
    if _is_missing(value):
        return _MISSING
    if is_boolean(value):
        return "yes" if value else "no"
    if is_integer(value):
        return str(value)
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return str(float(value)).replace("inf", "\N{INFINITY}")
        return float_format.format(value)
    return str(value)


def _default_classes(value: Any) -> list[str]:
    """A cell's CSS classes by its type: numbers right-aligned, missing values muted."""
    if _is_missing(value):
        return ["muted"]
    return ["num"] if is_number(value) else []


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
