"""pytest plugin: with `--report-dir DIR`, write the recorded findings as DIR/findings.json, DIR/envgate.sarif
and DIR/summary.md at the end of the session (JUnit XML comes from pytest's own --junitxml).

Loaded from the root conftest (`pytest_plugins = ["envgate.pytest_plugin"]`) or with `-p envgate.pytest_plugin`.
Under xdist each worker writes DIR/findings-<worker>.json when its session ends; the controller merges those
files at its own session end, then removes them.

Tests marked `no_report` (engine self-tests, fail fixtures, seeded defects) record nothing: their findings are
deliberate failures, not the stack's.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from envgate import report as _report

WORKER_GLOB = "findings-*.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("envgate", "envgate gates")
    try:
        group.addoption("--report-dir", default="", metavar="DIR",
                        help="write findings as DIR/findings.json, DIR/envgate.sarif and DIR/summary.md")
    except ValueError:
        pass  # the root conftest declares it in the same group


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "no_report: findings evaluated in this test are left out of --report-dir reports "
                   "(self-tests, fail fixtures, seeded defects)")
    config.pluginmanager.register(_Attribution(), "envgate-report-attribution")
    directory = config.getoption("report_dir", default="")
    if directory:
        path = Path(directory)
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        config.pluginmanager.register(ReportWriter(config, path), "envgate-report-writer")


class _Attribution:
    """Tag recorded findings with the test that produced them; drop those of `no_report` tests."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        with _report.attributed_to(item.nodeid):
            if item.get_closest_marker("no_report"):
                with _report.paused():
                    return (yield)
            return (yield)


class ReportWriter:
    def __init__(self, config: pytest.Config, directory: Path) -> None:
        self.config = config
        self.directory = directory
        self.worker = getattr(config, "workerinput", {}).get("workerid")
        self.start = len(_report.recorded_with_tests())
        self.tests: dict[str, int] = {}
        self.written: dict[str, Path] = {}
        directory.mkdir(parents=True, exist_ok=True)
        if self.worker is None:
            for stale in directory.glob(WORKER_GLOB):
                stale.unlink(missing_ok=True)

    def _mine(self) -> _report.Report:
        entries = _report.recorded_with_tests()[self.start:]
        return _report.Report([f for f, _ in entries], [t for _, t in entries], dict(self.tests))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker is not None:
            return  # the controller sees every worker's reports and counts them once
        if report.when == "call":
            outcome = report.outcome
            if hasattr(report, "wasxfail"):
                outcome = "xfailed" if report.skipped else "xpassed"
        elif report.failed:
            outcome = "error"
        elif report.skipped and report.when == "setup":
            outcome = "skipped"
        else:
            return
        self.tests[outcome] = self.tests.get(outcome, 0) + 1

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        mine = self._mine()
        if self.worker is not None:
            _report.write_json(mine.findings, self.directory / f"findings-{self.worker}.json",
                              attribution=mine.nodeids)
            return
        parts = [mine]
        for worker_file in sorted(self.directory.glob(WORKER_GLOB)):
            parts.append(_report.read_json(worker_file))
            worker_file.unlink()
        merged = _report.merge(parts)
        merged.tests = dict(self.tests)
        self.merged = merged
        self.written = _report.write_report(merged, self.directory)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.worker is not None or not self.written:
            return
        c = _report.counts(self.merged.findings)
        summary = ", ".join(f"{n} {o.lower()}" for o, n in c.items())
        terminalreporter.write_line(
            f"envgate: {len(self.merged.findings)} findings ({summary}) -> "
            f"{', '.join(str(p) for p in self.written.values())}")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # pytest runs gc.collect() at exit; the evaluated configurations and policyuniverse's action tables are
    # alive until then, and scanning them is a tenth of the pre-commit tier's time: freeze them instead.
    gc.freeze()
