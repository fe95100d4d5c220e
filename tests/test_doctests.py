"""The examples in the shared package's docstrings are tests too (python-stdnum's style)."""
import doctest

import pytest

from groupinsurance import date_parsing, identity_token, log_masking, profile, references, sensitive


@pytest.mark.parametrize("module", [date_parsing, identity_token, log_masking, profile, references, sensitive])
def test_examples_in_docstrings(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
