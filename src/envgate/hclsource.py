"""HCL files (.tf/.tfvars) as blocks and attributes that carry their line numbers.

python-hcl2 8.x accepts `with_meta` but never emits `__start_line__` (amplify-education/python-hcl2#291),
so this walks its rule tree instead, where every block and attribute keeps its Lark position.
Parsed files are cached by path and content, per process and on disk under $ENVGATE_HOME/hcl-cache
(keyed by python-hcl2's version and this module's source too): the static gate re-reads a repository
(or copies of it) many times per session and across pre-commit runs, and only pays for changed files.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule, BodyRule
from hcl2.rules.containers import ObjectRule
from hcl2.rules.expressions import ExprTermRule
from hcl2.rules.strings import HeredocTemplateRule, StringPartRule
from hcl2.utils import SerializationOptions
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from envgate.errors import EnvgateError
from envgate.findings import Raw
from envgate.toolchain import home

_OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False, preserve_heredocs=False)
_SINGLE_INTERPOLATION = re.compile(r"\$\{([^{}]*)\}")
_INTERPOLATIONS = re.compile(r"\$\{[^{}]*\}")


class Expr(Raw):
    """An HCL expression as written (`var.log_level`), never equal to a string literal with the same text."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expr) and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = Raw.__hash__


@dataclass(frozen=True)
class Attr:
    name: str
    value: Any  # Expr | str (a literal or template) | int | float | bool | None | dict | list
    line: int
    # For object values: the line of each key (so `variables.LOG_LEVEL` points at its own line).
    key_lines: Mapping[str, int] = field(default_factory=dict)
    # Literal text in the expression, by sub-path ("" or ".KEY"): what isolation checks scan.
    literals: tuple[tuple[str, str, int], ...] = ()

    def line_of(self, key: str | None) -> int:
        return self.key_lines.get(key, self.line) if key else self.line


@dataclass(frozen=True)
class Block:
    kind: str
    labels: tuple[str, ...]
    attrs: Mapping[str, Attr]
    blocks: tuple[Block, ...]
    file: str
    line: int

    @property
    def address(self) -> str:
        """Terraform's name for the block: `aws_sqs_queue.Q`, `data.x.y`, `var.env`, `local`, `provider.aws`."""
        prefix = {"resource": "", "data": "data.", "variable": "var.", "provider": "provider.", "module": "module.",
                  "output": "output."}.get(self.kind)
        return f"{prefix}{'.'.join(self.labels)}" if prefix is not None else self.kind

    @property
    def type(self) -> str:
        return self.labels[0] if self.labels else self.kind

    def nested(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    def find(self, path: str) -> tuple[Attr | None, Block]:
        """The attribute at a block path such as `throttle_settings[0].burst_limit`, and the block holding it."""
        block = self
        *parents, name = path.split(".")
        for part in parents:
            kind, _, index = part.partition("[")
            children = block.nested(kind)
            position = int(index.rstrip("]") or 0)
            if position >= len(children):
                return None, block
            block = children[position]
        return block.attrs.get(name), block

    def walk_attrs(self, path: str = "") -> Iterator[tuple[str, Attr]]:
        """Every attribute below this block with its Terraform path (nested blocks are lists: `rule[0].id`)."""
        for name, attr in self.attrs.items():
            yield f"{path}{name}", attr
        counts: dict[str, int] = {}
        for child in self.blocks:
            index = counts.get(child.kind, 0)
            counts[child.kind] = index + 1
            yield from child.walk_attrs(f"{path}{child.kind}[{index}].")


@dataclass(frozen=True)
class HclFile:
    path: str
    blocks: tuple[Block, ...]
    attrs: Mapping[str, Attr]  # top-level attributes: what a .tfvars file holds

    def of_kind(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]


_CACHE: dict[str, HclFile] = {}


def _cache_dir() -> Path:
    version = hashlib.sha1(hcl2.__version__.encode() + Path(__file__).read_bytes()).hexdigest()[:12]
    return home() / "hcl-cache" / version


def load(path: Path, shown_as: str) -> HclFile:
    """Parse one file (cached by shown path + content); parse errors become a one-line EnvgateError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EnvgateError(f"{shown_as}: cannot read: {exc.strerror}") from None
    key = hashlib.sha1(shown_as.encode() + b"\0" + data).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = _from_disk(key) or _to_disk(key, parse_text(data.decode("utf-8", errors="replace"), shown_as))
    return _CACHE[key]


def _from_disk(key: str) -> HclFile | None:
    try:
        # Only this process family writes here (our own cache under ENVGATE_HOME), so unpickling is safe.
        parsed = pickle.loads((_cache_dir() / key).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return parsed if isinstance(parsed, HclFile) else None


def _to_disk(key: str, parsed: HclFile) -> HclFile:
    directory = _cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False) as out:
            out.write(pickle.dumps(parsed))
        os.replace(out.name, directory / key)  # atomic: parallel test workers never read half a file
    except OSError:
        pass  # a read-only cache only costs speed
    return parsed


def parse_text(text: str, shown_as: str) -> HclFile:
    try:
        tree = hcl2.parses(text, discard_comments=True)
    except UnexpectedInput as exc:
        raise EnvgateError(f"{shown_as}:{_error_line(exc, text)}: HCL parse error: {_describe(exc)}") from None
    body = tree.body
    blocks = tuple(_block(child, shown_as) for child in body.children if isinstance(child, BlockRule))
    return HclFile(path=shown_as, blocks=blocks, attrs=_attrs(body, shown_as))


def _block(node: BlockRule, file: str) -> Block:
    labels = [_unquote(label.serialize(_OPTIONS)) for label in node.labels]
    body: BodyRule = node.body
    return Block(kind=labels[0], labels=tuple(labels[1:]), attrs=_attrs(body, file),
                 blocks=tuple(_block(c, file) for c in body.children if isinstance(c, BlockRule)),
                 file=file, line=_line(node))


def _attrs(body: BodyRule, file: str) -> dict[str, Attr]:
    attrs: dict[str, Attr] = {}
    for child in body.children:
        if not isinstance(child, AttributeRule):
            continue
        name = child.identifier.serialize(_OPTIONS)
        line = _line(child)
        if name in attrs:
            raise EnvgateError(f"{file}:{line}: HCL parse error: attribute {name!r} is set twice "
                               f"(first on line {attrs[name].line})")
        expression = _unwrap(child.expression)
        key_lines: dict[str, int] = {}
        literals: list[tuple[str, str, int]] = []
        if isinstance(expression, ObjectRule):
            for element in expression.elements:
                key = _unquote(element.key.serialize(_OPTIONS))
                key_lines[key] = _line(element) or line
                literals += [(f".{key}", text, key_lines[key]) for text in _literal_text(element.expression)]
        else:
            literals = [("", text, line) for text in _literal_text(expression)]
        attrs[name] = Attr(name=name, value=_value(child.expression.serialize(_OPTIONS)), line=line,
                           key_lines=key_lines, literals=tuple(literals))
    return attrs


def _value(raw: Any) -> Any:
    """python-hcl2's serialized form -> Expr for expressions, plain str for literal/template strings."""
    if isinstance(raw, dict):
        return {_unquote(k): _value(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_value(v) for v in raw]
    if not isinstance(raw, str):
        return raw
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        inner = raw[1:-1]
        only = _SINGLE_INTERPOLATION.fullmatch(inner)
        # "${var.x}" is the same expression as var.x.
        return Expr(only.group(1)) if only else _unescape(inner)
    if raw.startswith("${") and raw.endswith("}"):
        return Expr(raw[2:-1])
    return Expr(raw)


def _literal_text(node: Any) -> Iterator[str]:
    """Literal characters of every string and heredoc in an expression (interpolations and identifiers excluded)."""
    if isinstance(node, StringPartRule):
        if node.content.lark_name() == "STRING_CHARS":
            yield _unescape(node.content.serialize(_OPTIONS))
        else:
            yield from _literal_text(node.content)
        return
    if isinstance(node, HeredocTemplateRule):
        yield _INTERPOLATIONS.sub(" ", node.serialize(_OPTIONS))
        return
    for child in getattr(node, "children", None) or ():
        if child is not None:
            yield from _literal_text(child)


def _unwrap(node: Any) -> Any:
    while isinstance(node, ExprTermRule) and not node.parentheses:
        node = node.expression
    return node


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _unescape(text: str) -> str:
    try:
        return json.loads(f'"{text}"')
    except json.JSONDecodeError:
        return text


def _line(node: Any) -> int:
    # The Lark position lives on a private attribute; python-hcl2's own query API reads it the same way.
    meta = getattr(node, "_meta", None)
    return getattr(meta, "line", 0) or 0


def _error_line(exc: UnexpectedInput, text: str) -> int:
    if isinstance(exc, UnexpectedEOF) or getattr(exc, "line", -1) in (-1, None):
        return text.count("\n") + 1
    return exc.line


def _describe(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            return "unexpected end of file"
        text = str(exc.token)
        if text.startswith(("\n", "\r")):
            return f"unexpected end of line at column {exc.column}"
        return f"unexpected {text.splitlines()[0][:40]!r} at column {exc.column}"
    if isinstance(exc, UnexpectedCharacters):
        return f"unexpected character {exc.char!r} at column {exc.column}"
    return "unexpected end of file"
