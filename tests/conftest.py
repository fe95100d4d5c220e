import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def kb():
    from knowledge import default_knowledge

    return default_knowledge()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """Rasa and the action server with the trained model, on free loopback ports, for the session."""
    from tools import stack

    if not stack.DEFAULT_MODEL.exists():
        pytest.fail("No trained model: run the tests through `make test`, which trains it first.")
    # The demo people and contracts in a database of the tests' own, and a secret of their own.
    with stack.running_demo_stack(tmp_path_factory.mktemp("stack"), "tests-" + "x" * 40) as running:
        yield running
