"""Guided creation: a creating command sent alone asks its questions step by step, privately.

``handlers.guide.feature`` registers it; features import ``handlers.guide.entry`` to offer it."""
