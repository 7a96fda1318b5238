from envgate_ckv import first, references, variable

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# The values CloudWatch Logs accepts: what var.log_retention_days's default renders to.
CLOUDWATCH_RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                             2922, 3288, 3653}


class LogRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="EG003: log group retention is set from var.log_retention_days", id="CKV_ENVGATE_3",
                         categories=[CheckCategories.LOGGING], supported_resources=["aws_cloudwatch_log_group"])

    def scan_resource_conf(self, conf):
        days = first(conf, "retention_in_days")
        ok = references(days, variable("log_retention_days")) or (
            isinstance(days, int) and not isinstance(days, bool) and days in CLOUDWATCH_RETENTION_DAYS)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = LogRetention()
