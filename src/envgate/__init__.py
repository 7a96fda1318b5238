"""envgate: one environment contract, enforced at the static, plan and live gates."""

from envgate.checkovrun import checkov_bin

__all__ = ["checkov_bin"]
