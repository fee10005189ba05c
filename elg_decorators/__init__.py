"""Turn plain Python functions into European Language Grid (ELG) services."""
from __future__ import annotations

__version__ = "0.1.0"
