"""The rule catalogue, the registered checks and the fixtures agree with each other."""

from __future__ import annotations

import re

import pytest

from envgate import selftest
from envgate.paths import policies_dir
from envgate.registry import GATES, load_rules, registered

RULES = load_rules()
FIXTURES = selftest.fixtures_dir()


def test_rule_ids_unique_and_sequential_format() -> None:
    ids = RULES.ids
    assert len(ids) == len(set(ids)), "duplicate rule ids in policies/rules.yaml"
    assert all(re.fullmatch(r"EG\d{3}", i) for i in ids)


@pytest.mark.parametrize("rule", RULES.rules, ids=RULES.ids)
def test_rule_has_pass_and_fail_fixture_per_gate(rule) -> None:
    missing = selftest.missing(rule, FIXTURES)
    assert not missing, f"missing fixtures (policies/fixtures/): {', '.join(missing)}"


def test_every_fixture_names_a_known_rule_gate_and_kind() -> None:
    problems = []
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name != selftest.BASE):
        if rule_dir.name not in RULES.ids:
            problems.append(f"{rule_dir.name}: not a rule id in policies/rules.yaml")
            continue
        gates = RULES.get(rule_dir.name).gates
        for gate_dir in sorted(p for p in rule_dir.iterdir() if p.is_dir()):
            if gate_dir.name not in gates:
                problems.append(f"{rule_dir.name}/{gate_dir.name}: no such gate of the rule ({', '.join(gates)})")
            for kind_dir in sorted(p for p in gate_dir.iterdir() if p.is_dir()):
                if kind_dir.name not in selftest.KINDS:
                    problems.append(f"{rule_dir.name}/{gate_dir.name}/{kind_dir.name}: expected pass or fail")
                elif not (kind_dir / "case.yaml").is_file():
                    problems.append(f"{rule_dir.name}/{gate_dir.name}/{kind_dir.name}: no case.yaml")
    assert not problems, "\n".join(problems)


def test_every_check_has_metadata_and_every_declared_gate_has_a_check() -> None:
    checks = registered()
    declared = {(rule.id, gate) for rule in RULES.rules for gate in rule.gates}
    assert not set(checks) - declared, f"checks without a rules.yaml entry/gate: {sorted(set(checks) - declared)}"
    assert not declared - set(checks), f"declared gates without a check: {sorted(declared - set(checks))}"
    assert all(gate in GATES for _, gate in checks)


def test_checkov_checks_map_to_rule_ids() -> None:
    found = {}
    for source in sorted((policies_dir() / "checkov").glob("*.py")):
        text = source.read_text()
        number, name = re.search(r'id="CKV_ENVGATE_(\d+)"', text), re.search(r'name="([^"]+)"', text)
        if number and name:
            found[int(number.group(1))] = name.group(1)
    assert found, "no CKV_ENVGATE_<n> checks found in policies/checkov/"
    for number, name in found.items():
        rule_id = f"EG{number:03d}"
        assert rule_id in RULES.ids, f"CKV_ENVGATE_{number}: no rule {rule_id}"
        assert name.startswith(f"{rule_id}: "), f"CKV_ENVGATE_{number}: name must start with '{rule_id}: '"


def test_seeded_catalogue_names_known_rules() -> None:
    from envgate.seeded import load_seeded

    for path in sorted((policies_dir() / "seeded").glob("*.yaml")):
        for case in load_seeded(path):
            assert case.rule in RULES.ids, f"{path.name}: {case.id}: unknown rule {case.rule}"
