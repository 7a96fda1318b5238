"""Every rule fixture through the engine.

pass -> no FAIL and at least one PASS (the rule checked something); fail -> each expected FAIL message.
"""

from __future__ import annotations

import pytest

from envgate import selftest
from envgate.findings import Outcome
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
    findings = selftest.run(case, contract, rules)
    by_outcome = {o: [f.message for f in findings if f.outcome is o] for o in Outcome}
    if case.kind == "pass":
        assert not by_outcome[Outcome.FAIL], "a pass fixture failed:\n" + "\n".join(by_outcome[Outcome.FAIL])
        assert by_outcome[Outcome.PASS], f"{case.id}: the rule checked nothing (no PASS finding)"
    else:
        assert case.fail, f"{case.id}: case.yaml lists no expected `fail:` messages"
        for expected in case.fail:
            assert any(expected in m for m in by_outcome[Outcome.FAIL]), (
                f"expected a FAIL containing:\n  {expected}\ngot:\n  " + "\n  ".join(by_outcome[Outcome.FAIL]))
    for expected in case.deferred:
        assert any(expected in m for m in by_outcome[Outcome.DEFERRED]), by_outcome[Outcome.DEFERRED]
    assert {f.rule_id for f in findings} == {case.rule_id}
