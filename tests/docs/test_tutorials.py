"""A tutorial is executed into a page, and one that breaks stops the build.

Slow: each test starts a Jupyter kernel (a few seconds on a loaded machine).
"""

from __future__ import annotations

import docs_tutorials
import pytest
from nbclient.exceptions import CellExecutionError

pytestmark = pytest.mark.slow


def test_a_tutorial_becomes_a_page_with_its_outputs_and_figures(tmp_path):
    source = tmp_path / "tiny.py"
    source.write_text(
        "# %% [markdown]\n# # Tiny\n\n"
        "# %%\nprint('hello from the kernel')\n\n"
        "# %%\nfrom matplotlib.figure import Figure\n"
        "from IPython.display import Image, display\nimport io\n"
        "figure = Figure()\nfigure.add_subplot().plot([0, 1])\nbuffer = io.BytesIO()\n"
        "figure.savefig(buffer, format='png')\ndisplay(Image(buffer.getvalue()))\n"
    )
    page = docs_tutorials.execute(source)
    assert page.name == "tiny" and page.markdown.startswith("# Tiny")
    assert "hello from the kernel" in page.markdown
    [(name, data)] = page.files.items()
    assert name.startswith("tiny_files/") and data.startswith(b"\x89PNG")
    assert f"]({name})" in page.markdown


def test_a_tutorial_that_raises_stops_the_build(tmp_path):
    source = tmp_path / "broken.py"
    source.write_text("# %%\nx = 1\n\n# %%\nraise ValueError('this tutorial is broken')\n")
    with pytest.raises(CellExecutionError, match="this tutorial is broken"):
        docs_tutorials.execute(source)
