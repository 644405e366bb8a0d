"""Numpydoc parameter entries shared by the DMFT functions (expanded by
:func:`scalinglaws._docstrings.fill_doc`; the vocabulary of :ref:`conventions`)."""

from __future__ import annotations

__all__ = ["DMFT"]

DMFT: dict[str, str] = {
    # the public theory functions
    "P": "P : int or math.inf\n    Number of training samples.",
    "N": "N : int or math.inf, optional\n    Overrides ``problem.N``.",
    "flow": "flow : bool, optional\n    Gradient flow instead of discrete GD.",
    # the route helpers, which take the sizes as floats
    "task": "problem : Problem\n    The task.",
    "NvPv": "Nv, Pv : float\n    Model size and number of samples (``math.inf`` allowed).",
    "lr_gd": "lr : float\n    Learning rate of GD (> 0).",
    # the first arguments of the T x T recipes (mode arrays and inverse sizes)
    "recipe_inputs": (
        "lam : ndarray\n    Eigenvalues lambda_k (M modes).\n"
        "w2 : ndarray\n    Squared target weights ``w*_k^2``.\n"
        "invN, invP : float\n    1/N and 1/P (0 for infinity).\n"
        "sigma2 : float\n    Label-noise variance sigma^2."
    ),
    # dmft.exponents and spectra.scaling_exponents (the same closed forms)
    "exponents_returns": (
        'dict\n    ``{"time": .., "model": .., "data": .., "compute": {"t": .., "N": .., "loss": ..}}``;'
        "\n    the compute entries are the exponents of the optimal time, the optimal N and the loss"
        "\n    on the frontier, for compute ``C = N t``.\n\nRaises\n------\nParameterError"
        "\n    a <= 1 or b <= 0."
    ),
}
