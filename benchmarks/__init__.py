"""Benchmarks: the runners, and the generator of realistic files the test suite imports too."""
