"""MkDocs hooks: the generated pages, the executed tutorials and a local MathJax.

Loaded by ``mkdocs.yml`` (``hooks:``). Nothing here reaches the internet: pages come from
the code and the project's files (:mod:`docs_pages`), tutorials are run on this machine
(:mod:`docs_tutorials`), and MathJax is served from the copy that the
``django-static-mathjax`` package installs (a plain wheel of MathJax's files; nothing of
Django is used).
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import docs_pages
import docs_tutorials
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.lewsim")

#: The navigation entry that the ODD's pages fill.
MODEL_NAV = "The model (ODD)"
#: Where the site serves MathJax from; its fonts are found relative to the script.
MATHJAX_SITE = "assets/mathjax"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Fill the model's navigation entry with the ODD's pages, in the document's order."""
    pages = [{page.title: page.path} for page in docs_pages.odd_pages()]
    for index, entry in enumerate(config.nav or []):
        if isinstance(entry, dict) and MODEL_NAV in entry:
            config.nav[index] = {MODEL_NAV: pages}
    return config


def _mathjax_files(config: MkDocsConfig) -> list[File]:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("MathJax is missing: pip install -e '.[docs]' (django-static-mathjax)")
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    wanted = [es5 / "tex-chtml.js", *sorted((es5 / "output/chtml/fonts/woff-v2").glob("*.woff"))]
    return [
        File.generated(config, f"{MATHJAX_SITE}/{path.relative_to(es5)}", abs_src_path=str(path))
        for path in wanted
    ]


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages, the executed tutorials and MathJax to the site's files."""
    for path, text in docs_pages.all_pages().items():
        files.append(File.generated(config, path, content=text))
    for source in docs_tutorials.tutorial_sources():
        tutorial = docs_tutorials.execute(source)
        log.info("tutorial %s executed in %.0f s", tutorial.name, tutorial.seconds)
        files.append(
            File.generated(config, f"tutorials/{tutorial.name}.md", content=tutorial.markdown)
        )
        for name, data in tutorial.files.items():
            files.append(File.generated(config, f"tutorials/{name}", content=data))
    for file in _mathjax_files(config):
        files.append(file)
    return files
