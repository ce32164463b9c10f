"""What commands print besides errors: tables as aligned columns."""

from __future__ import annotations

from collections.abc import Sequence


def aligned_rows(rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    """Rows of cells as lines of aligned columns, two spaces apart (the last column free).

    Args:
        rows: The cells, the header first.
        right: Indices of columns to align right (numbers).

    Returns:
        One line per row, without trailing spaces.
    """
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [
            f"{cell:>{width}}" if i in right else f"{cell:<{width}}"
            for i, (cell, width) in enumerate(zip(row[:-1], widths, strict=True))
        ]
        lines.append("  ".join([*cells, str(row[-1])]).rstrip())
    return lines
