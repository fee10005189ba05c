"""The framework's version, in the one place setup.cfg and the code read it from."""

__version__ = "0.1.0"
