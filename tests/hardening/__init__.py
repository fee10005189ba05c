"""Hardening tests: hostile input, handler faults, properties, fuzzing, load, image defaults."""
