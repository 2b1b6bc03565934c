"""Benchmarks: each prints its figures and the ratio to the bare SQL it rests on."""
