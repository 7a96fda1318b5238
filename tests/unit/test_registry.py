"""Rule metadata loading and the (rule id, gate) check registry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from envgate import registry
from envgate.engine import evaluate
from envgate.errors import EnvgateError
from envgate.registry import BUILT_IN, check, load_rules

RULES_FILE = BUILT_IN


def _rules_with(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(RULES_FILE.read_text())
    edit(data["rules"])
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_evaluating_an_unknown_rule_id_is_an_error() -> None:
    with pytest.raises(EnvgateError, match=r"^unknown rule id 'EG999' \(not in the rule catalogue\)$"):
        evaluate([], "production", "plan", only=["EG999"])


def test_evaluating_a_rule_at_a_gate_it_does_not_declare_is_an_error() -> None:
    with pytest.raises(EnvgateError, match=r"^rule EG009 has no plan gate \(its gates: static\)$"):
        evaluate([], "production", "plan", only=["EG009"])


def test_declared_gate_without_registered_check_is_an_error(tmp_path: Path) -> None:
    def add_rule(rules: list) -> None:
        rules.append({**rules[0], "id": "EG099", "gates": ["plan"]})

    rules = load_rules(_rules_with(tmp_path, add_rule))
    with pytest.raises(EnvgateError, match="rule EG099 declares the plan gate but no check is registered for it"):
        evaluate([], "production", "plan", rules=rules, only=["EG099"])


@pytest.mark.parametrize(("edit", "message"), [
    (lambda rules: rules.append(dict(rules[0])), "rules.17.id: duplicate rule id EG001"),
    (lambda rules: rules[2].update(severity="urgent"),
     "rules.2.severity: Input should be 'critical', 'high', 'medium' or 'low', got 'urgent'"),
    (lambda rules: rules[0].update(gates=["static", "apply"]),
     "rules.0.gates.1: Input should be 'static', 'plan' or 'live', got 'apply'"),
    (lambda rules: rules[0].update(rationale="two\nlines"), "rules.0.rationale: String should match pattern"),
])
def test_bad_catalogue_is_one_line_error(tmp_path: Path, edit, message: str) -> None:
    with pytest.raises(EnvgateError) as raised:
        load_rules(_rules_with(tmp_path, edit))
    assert f"rules.yaml: {message}" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_decorator_rejects_unknown_gate_and_double_registration() -> None:
    with pytest.raises(EnvgateError, match="gates must be a non-empty subset"):
        check("EG001", "apply")
    with pytest.raises(EnvgateError, match="EG001/plan is registered twice"):
        registry.registered()
        check("EG001", "plan")(lambda resources, ctx: [])
