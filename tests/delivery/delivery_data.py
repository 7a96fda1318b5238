"""Findings of every outcome (one of them sensitive) for the delivery tests; the environment of a pytest or
envgate run in another repository."""

from __future__ import annotations

import os

from envgate.findings import Finding, Outcome

SECRET = "hunter2-do-not-print"  # a sensitive actual value: it must appear in no report


def sample_findings() -> list[Finding]:
    return [
        Finding("EG003", "plan", "staging", "aws_cloudwatch_log_group.api", "retention_in_days", 7, 3,
                Outcome.FAIL, "terraform/logs.tf", 12),
        Finding("EG003", "plan", "staging", "aws_cloudwatch_log_group.worker", "retention_in_days", 3, 3,
                Outcome.PASS, "terraform/logs.tf", 20),
        Finding("EG012", "live", "production", "aws_secretsmanager_secret.db", "secret_string", SECRET,
                "a value under production/media-downloader/", Outcome.FAIL, None, None, sensitive=True),
        Finding("EG005", "plan", "production", "aws_dsql_cluster.main", "deletion_protection_enabled", None, True,
                Outcome.DEFERRED, "terraform/dsql.tf", 3),
        Finding("EG001", "static", "dev", "aws_sqs_queue.jobs", "name", "jobs|legacy", "dev-",
                Outcome.WAIVED, "terraform/sqs.tf", 5, waiver="alice: legacy queue, renamed in Q3"),
        Finding("WAIVER", "static", "dev", "aws_sns_topic.old", "waiver", "unused", "it matches a FAIL",
                Outcome.FAIL, "policies/waivers.yaml", 4),
    ]


def outside_env(**extra: str) -> dict[str, str]:
    """This process's environment for a run in another repository: its own root, and its own session, not a
    worker of ours (PYTEST_XDIST_* would make an inner pytest share our temp dir)."""
    env = {k: v for k, v in os.environ.items() if k != "ENVGATE_ROOT" and not k.startswith("PYTEST_XDIST")}
    return {**env, **extra}
