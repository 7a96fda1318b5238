from envgate_ckv import CONTRACT, first, variable

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

STEM = CONTRACT["secrets_path"].format(env=f"${{var.{variable('name')}}}", project=CONTRACT["project"])


class SecretsPath(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="EG012: secret name lives under <environment>/media-downloader/", id="CKV_ENVGATE_12",
                         categories=[CheckCategories.SECRETS], supported_resources=["aws_secretsmanager_secret"])

    def scan_resource_conf(self, conf):
        name = first(conf, "name")
        return CheckResult.PASSED if isinstance(name, str) and name.startswith(STEM) else CheckResult.FAILED


check = SecretsPath()
