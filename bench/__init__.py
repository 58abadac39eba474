"""Benchmarks, run by hand with `make bench`; each prints its figures."""
