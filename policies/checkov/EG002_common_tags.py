from envgate_ckv import COMMON_TAGS_LOCAL, CONTRACT, RULES, first

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

REQUIRED = sorted(CONTRACT["tags"])
COMMON_TAGS = f"local.{COMMON_TAGS_LOCAL}"


def has_required(tags) -> bool:
    if isinstance(tags, dict):
        return all(key in tags for key in REQUIRED)
    # A merge() checkov could not evaluate stays text, e.g. "${merge({'Project': ...},{...})}".
    return isinstance(tags, str) and (COMMON_TAGS in tags or all(f"'{key}':" in tags for key in REQUIRED))


class CommonTags(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="EG002: tags include the common tags", id="CKV_ENVGATE_2",
                         categories=[CheckCategories.CONVENTION], supported_resources=RULES["EG002"]["resource_types"])

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED if has_required(first(conf, "tags")) else CheckResult.FAILED


check = CommonTags()
