from envgate_ckv import RULES, first, references, variable

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class DeletionProtection(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="EG005: deletion protection follows var.dsql_deletion_protection", id="CKV_ENVGATE_5",
                         categories=[CheckCategories.BACKUP_AND_RECOVERY],
                         supported_resources=RULES["EG005"]["resource_types"])

    def scan_resource_conf(self, conf):
        value = first(conf, "deletion_protection_enabled")
        # A literal true is safe everywhere; false or absent is never acceptable in shared code.
        ok = value is True or references(value, variable("deletion_protection"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = DeletionProtection()
