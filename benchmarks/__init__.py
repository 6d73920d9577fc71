"""Benchmarks of kg against real projects; see benchmarks/README.md."""
