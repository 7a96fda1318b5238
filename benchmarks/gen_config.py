"""A generated OpenTofu configuration of N resources for the static-gate scale benchmark (not a stack to deploy).

    python benchmarks/gen_config.py N DIR [ENVS]

DIR gets terraform/ (the rule fixtures' base: variables, locals with provider default_tags, plus main.tf with
N resources in groups of four: a queue, its log group, a role and the role's policy on the queue) and
environments/ (every environment's var file). Names come from locals and format(), tags from merge(), the
policy from a data.aws_iam_policy_document that references the queue: the idioms the static gate evaluates.
With ENVS > 3, environments beyond the fixtures' three are staging's twins under other names, and DIR gets
policies/contract.yaml: the fixture contract with them added.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

BASE = Path(__file__).resolve().parents[1] / "policies" / "fixtures" / "_base"

GROUP = '''resource "aws_sqs_queue" "q{i}" {{
  name = format("%s-q{i}", local.name_prefix)
  tags = merge(local.common_tags, {{ Name = "${{local.name_prefix}}-q{i}" }})
}}

resource "aws_cloudwatch_log_group" "l{i}" {{
  name              = "/aws/lambda/${{local.name_prefix}}-f{i}"
  retention_in_days = var.log_retention_days
}}

resource "aws_iam_role" "r{i}" {{
  name               = "${{local.name_prefix}}-r{i}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "lambda.amazonaws.com" }} }}] }})
}}

data "aws_iam_policy_document" "p{i}" {{
  statement {{
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.q{i}.arn]
  }}
}}

resource "aws_iam_role_policy" "p{i}" {{
  name   = "${{local.name_prefix}}-p{i}"
  role   = aws_iam_role.r{i}.id
  policy = data.aws_iam_policy_document.p{i}.json
}}
'''


CONTRACT = BASE.parent / "contract.yaml"
TWINS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"]


def generate(n: int, root: Path, envs: int = 3) -> Path:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(BASE, root)
    groups = max(1, n // 4)
    (root / "terraform" / "main.tf").write_text("\n".join(GROUP.format(i=i) for i in range(groups)))
    if envs > 3:
        contract = yaml.safe_load(CONTRACT.read_text())
        staging = contract["environments"]["staging"]
        tfvars = (root / "environments" / "staging.tfvars").read_text()
        for name in TWINS[:envs - 3]:
            prefix = name[:3]
            contract["environments"][name] = {**staging, "prefix": prefix, "workspace": name,
                                              "var_files": [f"environments/{name}.tfvars"]}
            (root / "environments" / f"{name}.tfvars").write_text(
                tfvars.replace('"staging"', f'"{name}"').replace('"stag"', f'"{prefix}"'))
        (root / "policies").mkdir()
        (root / "policies" / "contract.yaml").write_text(yaml.safe_dump(contract, sort_keys=False))
    return root


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3)
