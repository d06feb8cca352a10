"""Benchmarks run against the Telegram stand-in: ``python -m bench.<name>``."""
