"""Turn plain Python functions into European Language Grid (ELG) services."""
from __future__ import annotations

from .errors import ProcessingError as ProcessingError
from .service.flask_service import FlaskService as FlaskService

__version__ = "0.1.0"

__all__ = ["FlaskService", "ProcessingError", "__version__"]
