"""The public modules of the installed package (shared by the docstring and API-reference
tests): no ``_``-prefixed part in the dotted name, no deprecated forwarding shim."""

from __future__ import annotations

import importlib
import pkgutil
import warnings

import scalinglaws

#: forwarding shims, kept one release
DEPRECATED_MODULES = {"scalinglaws.oracle", "scalinglaws.dmft_figures", "scalinglaws.plrf_figures"}


def public_modules() -> list:
    """``scalinglaws`` and every public submodule, imported."""
    out = [scalinglaws]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for info in pkgutil.walk_packages(scalinglaws.__path__, "scalinglaws."):
            if any(part.startswith("_") for part in info.name.split(".")):
                continue
            if info.name in DEPRECATED_MODULES or info.name.endswith("__main__"):
                continue
            out.append(importlib.import_module(info.name))
    return out
