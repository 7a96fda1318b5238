"""Seeded-violation catalogues (policies/seeded/<gate>.yaml): known defects every gate must catch precisely.

A case edits one file of a repository copy with a regular expression; the gate under test must then
report `message` for `rule`. The static gate's tests use static.yaml; plan/live add their own files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from envgate.errors import EnvgateError
from envgate.registry import Gate
from envgate.yamlio import load_yaml, validation_message


class SeededCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    file: str
    find: str
    replace: str
    env: str
    rule: Annotated[str, Field(pattern=r"^EG\d{3}$")]
    message: str
    line_of: str | None = None

    def apply(self, root: Path) -> str:
        """Seed the defect into the copy at `root`; return the expected message with {line} filled in."""
        path = root / self.file
        text = path.read_text()
        matches = list(re.finditer(self.find, text))
        if len(matches) != 1:
            raise EnvgateError(f"seeded case {self.id}: `find` matches {len(matches)} times in {self.file} "
                               f"(must be exactly once: update policies/seeded/)")
        match = matches[0]
        changed = text[:match.start()] + match.expand(self.replace) + text[match.end():]
        path.write_text(changed)
        anchor = re.search(self.line_of, changed) if self.line_of else None
        if self.line_of and anchor is None:
            raise EnvgateError(f"seeded case {self.id}: line_of {self.line_of!r} not found in {self.file}")
        offset = anchor.start() if anchor else match.start()
        return self.message.replace("{line}", str(changed.count("\n", 0, offset) + 1))


class SeededCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gate: Gate
    cases: list[SeededCase]


def load_seeded(path: Path) -> list[SeededCase]:
    try:
        return SeededCatalogue.model_validate(load_yaml(path)).cases
    except ValidationError as exc:
        raise EnvgateError(validation_message(path, exc)) from None
