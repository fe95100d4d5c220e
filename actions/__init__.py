"""Rasa custom actions, one module per capability, each a thin adapter over domain code."""
from groupinsurance import log_masking

# The action server logs what it receives; national numbers never reach its logs in clear.
log_masking.install()
