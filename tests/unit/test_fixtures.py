"""Every rule fixture through the engine.

pass -> no FAIL and at least one PASS (the rule checked something); fail -> each expected FAIL message and no other.
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


def test_a_fail_fixture_with_an_unlisted_fail_is_a_problem(contract, rules) -> None:
    case = next(c for c in CASES if c.id == "EG008/plan/fail")
    dropped = case.fail[-1]
    trimmed = selftest.FixtureCase(case.rule_id, case.gate, case.kind, case.path, case.env, case.fail[:-1],
                                   case.deferred, case.contract)
    found = selftest.problems(trimmed, contract, rules)
    assert any(p.startswith("an unexpected FAIL: ") and dropped in p for p in found), found
