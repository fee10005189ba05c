"""Decorated handlers: their registry, argument binding and the generated service class."""
