"""The documentation covers the public API and the equation index is consistent.

* Every name in the ``__all__`` of every public module (no ``_``-prefixed part in its dotted
  path) has a page in the generated API reference. The reference is generated exactly as the
  docs build does it (autosummary with the project's templates and conf.py) into a temporary
  copy of ``docs/``; no full build is needed. Skipped when Sphinx is not installed.
* Every equation label of the theory pages has a row in the equation index, and every function
  and test named there exists (docs/scripts/equation_index.py).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from public_api import public_modules

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

pytestmark = pytest.mark.skipif(
    not (DOCS / "conf.py").exists(), reason="no docs/ directory (installed package only)"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Names documented by the generated API reference (one stub page per documented object)."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    pytest.importorskip("numpydoc")
    pytest.importorskip("pydata_sphinx_theme")
    from sphinx.application import Sphinx

    tmp = tmp_path_factory.mktemp("docs")
    src = tmp / "docs"
    shutil.copytree(
        DOCS,
        src,
        ignore=shutil.ignore_patterns("_build", "generated", "_generated", "jupyter_execute"),
    )
    # autosummary writes the stubs while the builder is initialised; nothing is read or built
    Sphinx(
        str(src),
        str(src),
        str(tmp / "out"),
        str(tmp / "doctrees"),
        "dummy",
        status=None,
        warning=sys.stderr,
        freshenv=True,
    )
    gen = src / "api" / "generated"
    names = {p.stem for p in gen.glob("*.rst")}
    assert names, "autosummary generated no pages"
    return names


def test_every_public_name_is_in_the_api_reference(generated):
    missing = []
    for mod in public_modules():
        for name in getattr(mod, "__all__", []):
            if f"{mod.__name__}.{name}" not in generated:
                missing.append(f"{mod.__name__}.{name}")
    assert not missing, f"not in the API reference: {missing}"


def test_every_public_module_has_a_page(generated):
    missing = [m.__name__ for m in public_modules() if m.__name__ not in generated]
    assert not missing, f"public modules without a reference page: {missing}"


def test_equation_index_is_complete_and_points_to_existing_code_and_tests():
    sys.path.insert(0, str(DOCS / "scripts"))
    try:
        import equation_index
    finally:
        sys.path.pop(0)
    problems = equation_index.problems()
    assert not problems, "\n".join(problems)


def test_docs_and_docstrings_cite_only_the_project():
    """Nothing in docs/ points outside the project (research notes are not shipped)."""
    bad = []
    for path in list(DOCS.rglob("*.md")) + list(DOCS.rglob("*.py")) + list(DOCS.rglob("*.rst")):
        if "_build" in path.parts or "generated" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("dmft.md", "plrf.md", "../shared"):
            if needle in text:
                bad.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not bad, bad
