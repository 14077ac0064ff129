"""The kernel: small, dependency-free vocabulary every app may import (actors, the taxonomy, case statuses).

It imports no domain app at run time; the layers above it are declared in `pyproject.toml`'s import-linter contracts.
"""
