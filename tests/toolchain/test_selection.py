"""Which hashicorp/aws the toolchain picks, without building anything."""

import os
from pathlib import Path

import pytest

from envgate import toolchain as tc
from envgate.errors import EnvgateError


def _fake_provider(root: Path, host: str, version: str) -> Path:
    path = root / host / "hashicorp/aws" / version / "linux_amd64" / f"terraform-provider-aws_v{version}_x5"
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("ENVGATE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVGATE_AWS_PROVIDER_REF", raising=False)
    monkeypatch.delenv("ENVGATE_AWS_PROVIDER_VERSION", raising=False)
    monkeypatch.setattr(tc, "PREINSTALLED_MIRRORS", (str(tmp_path / "opt"),))
    return tmp_path


def test_newest_preinstalled_provider_of_a_fitting_version_is_linked_into_the_mirror(isolated):
    _fake_provider(isolated / "opt", "registry.terraform.io", "5.99.0")
    newest = _fake_provider(isolated / "opt", "registry.terraform.io", "5.100.0")
    chosen = tc.ensure_aws_provider()
    assert chosen.version == "5.100.0"
    assert chosen.binary == isolated / "home/plugins/registry.opentofu.org/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5"
    assert os.path.samefile(chosen.binary, newest)
    assert tc.ensure_aws_provider().source == "cache"


def test_too_old_provider_only_gives_one_clear_error(isolated):
    _fake_provider(isolated / "opt", "registry.terraform.io", "5.99.0")
    with pytest.raises(EnvgateError, match=r"no hashicorp/aws >= 5.100 provider: set ENVGATE_AWS_PROVIDER_REF"):
        tc.ensure_aws_provider()


def test_cli_config_installs_only_from_the_mirror(isolated):
    text = tc.cli_config().read_text()
    assert "filesystem_mirror" in text and "direct" not in text and "network_mirror" not in text
    assert "plugin_cache_dir" not in text  # a shared cache races between parallel inits


def test_registry_mode_skips_the_mirror(isolated, monkeypatch):
    monkeypatch.setenv("ENVGATE_USE_REGISTRY", "1")
    monkeypatch.setattr(tc, "ensure_tofu", lambda: Path("/usr/bin/tofu"))
    toolchain = tc.ensure()
    assert toolchain.provider is None and "TF_CLI_CONFIG_FILE" not in toolchain.env()
