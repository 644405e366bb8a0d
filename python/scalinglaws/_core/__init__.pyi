"""
scalinglaws private C++ core (use the public Python API in scalinglaws.*). Type stubs.
"""
from __future__ import annotations
from . import linalg
from . import schedule
from . import simulate
from . import dmft
from . import plrf
from . import kernels
__version__: str
