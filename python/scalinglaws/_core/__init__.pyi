"""
scalinglaws private C++ core (use the public Python API in scalinglaws.*). Type stubs.
"""

from __future__ import annotations

__version__: str

from . import dmft as dmft
from . import kernels as kernels
from . import linalg as linalg
from . import plrf as plrf
from . import schedule as schedule
from . import simulate as simulate
