"""Benchmarks, one script per stage; ``python -m benchmarks`` runs them all."""
