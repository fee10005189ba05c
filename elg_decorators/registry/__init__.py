"""Decorated handlers: the decorators, their registry, argument binding and the service that serves them."""
