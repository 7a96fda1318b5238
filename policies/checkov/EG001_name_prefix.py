from envgate_ckv import RULES, first, name_start, prefix_forms

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

PARAMS = RULES["EG001"]["params"]


class NamePrefix(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="EG001: resource name starts with the environment prefix", id="CKV_ENVGATE_1",
                         categories=[CheckCategories.CONVENTION], supported_resources=list(PARAMS["name_attributes"]))

    def scan_resource_conf(self, conf):
        name = first(conf, PARAMS["name_attributes"][self.entity_type])
        stems = [name_start(self.entity_type, form) for form in prefix_forms()]
        return CheckResult.PASSED if isinstance(name, str) and name.startswith(tuple(stems)) else CheckResult.FAILED


check = NamePrefix()
