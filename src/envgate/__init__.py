"""envgate: one environment contract, enforced at the static, plan and live gates."""
