from envgate_ckv import first, variable

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class AlarmSwitch(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="EG006: alarms exist only when var.enable_cloudwatch_alarms is set, and notify someone", id="CKV_ENVGATE_6",
                         categories=[CheckCategories.LOGGING], supported_resources=["aws_cloudwatch_metric_alarm"])

    def scan_resource_conf(self, conf):
        count = first(conf, "count")
        expected = f"var.{variable('alarms')} ? 1 : 0"
        switched = isinstance(count, str) and " ".join(count.strip().removeprefix("${").removesuffix("}").split()) == expected
        # An alarm without actions notifies nobody; which topic it reaches is the engine's EG006.
        actions = first(conf, "alarm_actions")
        ok = switched and bool(actions)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = AlarmSwitch()
