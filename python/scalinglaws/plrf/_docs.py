"""numpydoc entries shared by the plrf functions (expanded by ``_docstrings.fill_doc``)."""

from __future__ import annotations

DOCS = {
    "alpha_beta": (
        "alpha, beta : float\n    Data and target exponents (``D = diag(j^-2alpha)``,"
        " ``b_j = j^-beta``), with alpha > 0\n    and ``2(alpha + beta) > 1``."
    ),
}
