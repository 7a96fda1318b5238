# The two commands. Each runs scripts/bootstrap first, so both work on a fresh machine.
#   make gate   the whole gate on the local AWS (moto): static, plan, deploy, live, destroy staging
#   make test   the project's test suite (static, plan and live tiers on moto, engine self-tests)
PYTEST_ARGS ?=
GATE_ARGS ?=

.PHONY: setup test gate
setup:
	scripts/bootstrap

test: setup
	.venv/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

gate: setup
	.venv/bin/envgate gate $(GATE_ARGS)
