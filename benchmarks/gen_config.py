"""A generated OpenTofu configuration of N resources for the static-gate scale benchmark (not a stack to deploy).

    python benchmarks/gen_config.py N DIR

DIR gets terraform/ (the rule fixtures' base: variables, locals with provider default_tags, plus main.tf with
N resources in groups of four: a queue, its log group, a role and the role's policy on the queue) and
environments/ (every environment's var file). Names come from locals and format(), tags from merge(), the
policy from a data.aws_iam_policy_document that references the queue: the idioms the static gate evaluates.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

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


def generate(n: int, root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(BASE, root)
    groups = max(1, n // 4)
    (root / "terraform" / "main.tf").write_text("\n".join(GROUP.format(i=i) for i in range(groups)))
    return root


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
