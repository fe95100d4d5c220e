"""Masks national register and BIS numbers, and IBANs, in every log record of the process.

Installed by the web app and the action server at start. It wraps the log record factory, so it
covers every logger, ours and the libraries' (Flask, Werkzeug, rasa-sdk, Sanic), before any handler
formats the message.

>>> import logging
>>> install()
>>> record = logging.getLogRecordFactory()("x", logging.INFO, __file__, 1, "login %s", ("85073003328",), None)
>>> record.getMessage()
'login 85.07.30-***.**'
"""
from __future__ import annotations

import logging

from groupinsurance.identifiers import mask_in_text
from groupinsurance.sensitive import mask_ibans

_MARK = "_groupinsurance_masking"


def install() -> None:
    """Idempotent: a second call does nothing."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return record
        masked = mask_ibans(mask_in_text(message))
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        return record

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)
