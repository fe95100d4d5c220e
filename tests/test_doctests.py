"""The examples in the docstrings of the shared package (and a few web modules) are tests too (python-stdnum's style)."""
import doctest

import pytest

from groupinsurance import date_parsing, db, identity_token, log_masking, profile, references, sensitive
from tools import scale_checks
from web import rasa


@pytest.mark.parametrize("module", [date_parsing, db, identity_token, log_masking, profile, references, sensitive, rasa, scale_checks])
def test_examples_in_docstrings(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
