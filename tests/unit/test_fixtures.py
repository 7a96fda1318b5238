"""Every rule fixture through the engine.

pass -> no FAIL and at least one PASS (the rule checked something); fail -> each expected FAIL message.
"""

from __future__ import annotations

import pytest

from envgate import selftest
from envgate.registry import load_rules

CASES = selftest.discover()


@pytest.fixture(scope="module")
def contract():
    return selftest.fixture_contract()


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture(case: selftest.FixtureCase, contract, rules) -> None:
    found = selftest.problems(case, contract, rules)
    assert not found, "\n".join(found)
