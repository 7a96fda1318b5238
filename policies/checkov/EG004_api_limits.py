from envgate_ckv import first, references, variable

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

WIRING = {("throttle_settings", "burst_limit"): "api.throttle_burst_limit",
          ("throttle_settings", "rate_limit"): "api.throttle_rate_limit",
          ("quota_settings", "limit"): "api.quota_limit"}


class ApiLimits(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="EG004: usage plan throttle and quota come from the api variables", id="CKV_ENVGATE_4",
                         categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["aws_api_gateway_usage_plan"])

    def scan_resource_conf(self, conf):
        for (block, key), field in WIRING.items():
            settings = first(conf, block)
            if not isinstance(settings, dict) or not references(first(settings, key), variable(field)):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = ApiLimits()
