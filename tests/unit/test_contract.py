"""The contract model: the real file validates, errors are one line with file and field path, schema in sync."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from envgate.contract import SCHEMA_PATH, load_contract, migrate_v1, schema_json
from envgate.errors import EnvgateError
from envgate.paths import policies_dir, shown

CONTRACT = policies_dir() / "contract.yaml"


def _broken(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(CONTRACT.read_text())
    edit(data)
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_repository_contract_is_valid() -> None:
    contract = load_contract()
    assert contract.env("production").read_only
    assert {"staging", "production", "dev"} <= set(contract.environments)


def test_schema_file_in_sync() -> None:
    assert SCHEMA_PATH.read_text() == schema_json(), "run: python -m envgate.contract (rewrites the schema)"


def test_contract_file_matches_exported_schema() -> None:
    jsonschema.validate(yaml.safe_load(CONTRACT.read_text()), json.loads(SCHEMA_PATH.read_text()))


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["environments"]["production"].update(log_retention_days=4),
     "environments.production.log_retention_days: must be one of CloudWatch's allowed values, got 4"),
    (lambda d: d["environments"]["dev"].update(prefix="stag"),
     "environments.dev.prefix: 'stag' is already used by staging"),
    (lambda d: d["tags"].update(Environment="{environment}"),
     "tags: unknown placeholder(s) environment (use env, prefix, project, workspace)"),
    (lambda d: d["naming"].update(template="{prefix}-"),
     "naming.template: a name template needs {name} (the part each resource chooses), got '{prefix}-'"),
    (lambda d: d["environments"]["dev"].update(var_files=["environments/staging.tfvars"]),
     "environments.dev.var_files: 'environments/staging.tfvars' is already used by staging"),
    (lambda d: d["expectations"][0]["envs"].update(qa={"equals": 1}),
     "expectations.0.envs.qa: no such environment"),
    (lambda d: d["expectations"][0]["envs"].update(dev={"regex": "("}),
     "expectations.0.envs.dev.regex: not a regular expression: missing ), unterminated subpattern at position 0, "
     "got '('"),
    (lambda d: d["environments"]["production"].pop("read_only"),
     "environments.production.read_only: Field required"),
    (lambda d: d["environments"]["dev"]["api"].update(quota_limit="many"),
     "environments.dev.api.quota_limit: Input should be a valid integer, got 'many'"),
    (lambda d: d["environments"]["dev"].update(alarms="yes"),
     "environments.dev.alarms: Input should be a valid boolean, got 'yes'"),
    (lambda d: d["variables"].pop("alarms"), "variables: no stack variable bound for alarms"),
    (lambda d: d["environments"]["dev"].update(colour="blue"),
     "environments.dev.colour: Extra inputs are not permitted"),
    (lambda d: d["environments"]["dev"].pop("workspace"),
     "environments.dev: needs a workspace or a backend_config: its own state"),
    (lambda d: d["naming"].update(regex="{prefix}-("),
     "naming.regex: not a regular expression: missing ), unterminated subpattern at position 2, got '{prefix}-('"),
    (lambda d: d.update(promotion=["dev", "qa", "production"]), "promotion.1: 'qa': no such environment, or named twice"),
    (lambda d: d["environments"]["dev"].update(account_id="12345"),
     "environments.dev.account_id: String should match pattern '^[0-9]{12}$', got '12345'"),
])
def test_errors_name_file_and_field(tmp_path: Path, edit, message: str) -> None:
    path = _broken(tmp_path, edit)
    with pytest.raises(EnvgateError) as raised:
        load_contract(path)
    assert str(raised.value) == f"{path.as_posix()}: {message}"
    assert "\n" not in str(raised.value)


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text("version: 2\nenvironments: [\n")
    with pytest.raises(EnvgateError, match=r"contract\.yaml:3: YAML error: "):
        load_contract(path)


def test_forbidden_words_are_other_environments_names_and_prefixes() -> None:
    contract = load_contract()
    assert contract.forbidden_words("production") == {"staging": "staging", "stag": "staging", "dev": "dev"}
    assert "dev" not in contract.forbidden_words("dev")


def test_a_version_1_contract_is_refused_with_the_way_out() -> None:
    v1 = Path(__file__).parent / "data" / "contract-v1.yaml"
    with pytest.raises(EnvgateError) as raised:
        load_contract(v1)
    assert str(raised.value) == (f"{shown(v1)}: contract version 1 is no longer read: run `envgate contract migrate "
                                 f"{shown(v1)}` to rewrite it as version 2")


def test_migrating_version_1_keeps_every_value(tmp_path: Path) -> None:
    v1 = yaml.safe_load((Path(__file__).parent / "data" / "contract-v1.yaml").read_text())
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(migrate_v1(v1), sort_keys=False))
    migrated, current = load_contract(path), load_contract()
    for name, old in v1["environments"].items():
        assert migrated.tags_of(name) == old["tags"]
        assert migrated.env(name).tfvars == old["tfvars"]
        assert migrated.name_stems(name) == current.name_stems(name)
        assert migrated.secrets_path_of(name) == v1["naming"]["secrets_path"].format(environment=name)
        assert migrated.env(name) == current.env(name)


def test_state_object_per_environment_model(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "audio-pipeline"
    ours = load_contract()
    assert ours.state_object("staging", policies_dir().parent) == "env:/staging/media-downloader/terraform.tfstate"
    theirs = load_contract(example / "policies" / "contract.yaml")
    assert theirs.state_object("prod", example) == "audio-pipeline/prod/terraform.tfstate"
    (tmp_path / "environments" / "prod").mkdir(parents=True)
    (tmp_path / "environments" / "prod" / "backend.hcl").write_text('key = "x"\nbucket = \n')
    with pytest.raises(EnvgateError) as raised:
        theirs.state_object("prod", tmp_path)
    assert str(raised.value).startswith("environments/prod/backend.hcl: not a backend config (HCL): ")
    assert "\n" not in str(raised.value)
