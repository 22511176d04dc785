"""Offline tools: not shipped in the package (fitting the sentiment models)."""
