"""Rasa custom actions, one module per capability, each a thin adapter over domain code."""
