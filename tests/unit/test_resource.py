"""Resource attribute paths (jsonpath) and unknown/sensitive coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from envgate.errors import EnvgateError
from envgate.findings import MISSING
from envgate.resource import Resource, leaves, load_resources

VALUES = {"throttle_settings": [{"burst_limit": 5}], "tags_all": {"aws:cloudformation:stack-name": "x"},
          "environment": [{"variables": {"LOG_LEVEL": "INFO"}}]}


@pytest.mark.parametrize(("path", "value"), [
    ("throttle_settings[0].burst_limit", 5), ("tags_all.aws:cloudformation:stack-name", "x"),
    ("environment[0].variables.LOG_LEVEL", "INFO"), ("throttle_settings[1].burst_limit", MISSING), ("nope", MISSING),
])
def test_get(path: str, value) -> None:
    assert Resource("t", "t.a", "dev", VALUES).get(path) == value


def test_unknown_and_sensitive_cover_descendants_only() -> None:
    res = Resource("t", "t.a", "dev", VALUES, unknown=frozenset({"environment"}), sensitive=frozenset({"tags_all"}))
    assert res.is_unknown("environment[0].variables.LOG_LEVEL")
    assert not res.is_unknown("environment_name")
    assert res.is_sensitive("tags_all.Name")


def test_repr_hides_values() -> None:
    assert "INFO" not in repr(Resource("t", "t.a", "dev", VALUES))


def test_leaves_paths() -> None:
    assert dict(leaves(VALUES))["environment[0].variables.LOG_LEVEL"] == "INFO"


def test_base_address_drops_index() -> None:
    assert Resource("t", 'aws_sns_topic.Ops["a"]', "dev").base_address == "aws_sns_topic.Ops"
    assert Resource("t", "aws_sns_topic.Ops[0]", "dev").base_address == "aws_sns_topic.Ops"


def test_load_resources_errors(tmp_path: Path) -> None:
    path = tmp_path / "resources.json"
    path.write_text('[{"type": "x"}]')
    with pytest.raises(EnvgateError, match="missing field address"):
        load_resources(path, env="dev")
    path.write_text("{")
    with pytest.raises(EnvgateError, match="cannot read resources"):
        load_resources(path)
