"""Static gate input: the configuration evaluated per environment (tfparse) -> normalized `Resource`s.

tfparse evaluates variables (var files in tofu's precedence), locals, merge(), conditionals, count/for_each
and local modules. What it cannot know comes back as generated UUIDs (another block's id/ARN), reference
objects, `None`, `${...}` templates or "(sensitive value)": those paths become `Resource.unknown`, and a
value that is another block of this configuration is kept as the reference `${<address>}` so a check can
tell "this environment's own resource by construction" from a literal. Raw HCL (envgate.hclsource) adds
what tfparse drops: attribute lines, declarations for validation, and map keys the evaluation lost.

tfparse runs in a subprocess (envgate.sources.tfparse_worker): a Go panic there is one error line. Results
and their normalized Resources are cached per (content hash, environment) under $ENVGATE_HOME/eval-cache.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envgate.errors import EnvgateError
from envgate.hclsource import Attr, Block, Expr, HclFile, load
from envgate.resource import Resource, base_address
from envgate.toolchain import home

DEFAULT_STACK = "terraform"
TIMEOUT_S = 120
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_META_ARGS = {"__tfmeta", "id", "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner",
              "connection"}
_SENSITIVE = "(sensitive value)"
# Functions that change a reference's text: their result on a UUID placeholder proves nothing.
_TRANSFORM = re.compile(r"\b(replace|format|formatlist|regex|regexall|substr|trimprefix|trimsuffix|trim|join|"
                        r"lower|upper|title|split|element|lookup|coalesce|try|one|reverse|strrev)\s*\(")
_PLAIN_REF = re.compile(r'^(data\.)?[a-z][a-z0-9]*_[\w-]+\.[\w-]+(\[[^\]]*\])?(\.[\w-]+)*$')
# Data sources whose attributes fill account/region/partition slots of an ARN template.
_ARN_SLOTS = {"aws_caller_identity", "aws_region", "aws_partition"}
_REFERENCE = re.compile(r"^\$\{(.+)\}$")


@dataclass(frozen=True)
class Layout:
    """How one environment of a stack is evaluated: paths relative to `root` (what messages show)."""

    root: Path
    stack: str
    env: str
    workspace: str
    var_files: tuple[str, ...]


def reference_address(value: Any) -> str | None:
    """The block address a `${<address>}` reference value names (None for any other value)."""
    match = _REFERENCE.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


# --- raw configuration (validation, lines, declarations) -----------------------------------------------------

@dataclass(frozen=True)
class RawConfig:
    root: Path
    stack: str
    files: tuple[HclFile, ...]          # root module .tf files
    modules: Mapping[str, tuple[HclFile, ...]]   # module call name -> its local module's files

    def blocks(self, kind: str, files: Iterable[HclFile] | None = None) -> Iterator[Block]:
        for f in self.files if files is None else files:
            yield from f.of_kind(kind)

    def variables(self) -> dict[str, Block]:
        return {b.labels[0]: b for b in self.blocks("variable") if b.labels}

    def block(self, address: str) -> Block | None:
        """The root-module block of a base address (`aws_x.y`, `data.x.y`, `module.m`)."""
        return self._index().get(address)

    def _index(self) -> dict[str, Block]:
        cached = self.__dict__.get("_by_address")
        if cached is None:
            cached = {b.address: b for kind in ("resource", "data", "module") for b in self.blocks(kind)}
            object.__setattr__(self, "_by_address", cached)
        return cached


def load_raw(root: Path, stack: str) -> RawConfig:
    directory = root / stack
    if not directory.is_dir():
        raise EnvgateError(f"{stack}: no such stack directory under {root}")
    files = _parsed(root, directory)
    modules: dict[str, tuple[HclFile, ...]] = {}
    for call in (b for f in files for b in f.of_kind("module")):
        source = call.attrs.get("source")
        value = source.value if source else None
        if isinstance(value, str) and not isinstance(value, Expr) and value.startswith(("./", "../")):
            module_dir = (directory / value).resolve()
            if not module_dir.is_dir():
                raise EnvgateError(f"{call.file}:{call.line}: module {call.labels[0]!r}: source {value!r} "
                                   "is not a directory")
            modules[call.labels[0]] = _parsed(root, module_dir)
    raw = RawConfig(root=root, stack=stack, files=files, modules=modules)
    validate(raw)
    return raw


def _parsed(root: Path, directory: Path) -> tuple[HclFile, ...]:
    out = []
    for path in sorted(directory.glob("*.tf")):
        try:
            shown_as = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown_as = path.as_posix()
        out.append(load(path, shown_as))
    return tuple(out)


def validate(raw: RawConfig) -> None:
    """What tofu would refuse before planning: duplicate blocks, references to undeclared names."""
    for files in (raw.files, *raw.modules.values()):
        _no_duplicates(files)
        _no_undeclared(files)


def _no_duplicates(files: Sequence[HclFile]) -> None:
    seen: dict[str, Block] = {}
    local_keys: dict[str, tuple[str, int]] = {}
    for f in files:
        for block in f.blocks:
            if block.kind == "locals":
                for name, attr in block.attrs.items():
                    if name in local_keys:
                        first = local_keys[name]
                        raise EnvgateError(f"{block.file}:{attr.line}: duplicate local value {name!r} "
                                           f"(first defined at {first[0]}:{first[1]}); tofu refuses this")
                    local_keys[name] = (block.file, attr.line)
                continue
            if block.kind not in ("resource", "data", "variable", "output", "module"):
                continue
            key = block.address
            if key in seen:
                first = seen[key]
                raise EnvgateError(f"{block.file}:{block.line}: duplicate {block.kind} block {key} "
                                   f"(first defined at {first.file}:{first.line}); tofu refuses this")
            seen[key] = block


_REF = re.compile(r"(?<![\w.\-\"])(var|local|module)\.([A-Za-z_][\w-]*)")
_RES_REF = re.compile(r"(?<![\w.\-\"])(data\.)?([a-z][a-z0-9]*)_([a-z0-9_]+)\.([A-Za-z_][\w-]*)")
_FOR_NAMES = re.compile(r"\bfor\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\b")
_INTERP = re.compile(r"\$\{([^{}]*)\}")


def _expressions(value: Any) -> Iterator[str]:
    if isinstance(value, Expr):
        yield str(value)
    elif isinstance(value, str):
        yield from _INTERP.findall(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)


def _walk(block: Block) -> Iterator[Attr]:
    yield from block.attrs.values()
    for child in block.blocks:
        yield from _walk(child)


def _no_undeclared(files: Sequence[HclFile]) -> None:
    declared = {"var": {b.labels[0] for f in files for b in f.of_kind("variable") if b.labels},
                "local": {n for f in files for b in f.of_kind("locals") for n in b.attrs},
                "module": {b.labels[0] for f in files for b in f.of_kind("module") if b.labels}}
    blocks = {b.address for f in files for kind in ("resource", "data") for b in f.of_kind(kind)}
    providers = {b.type.split("_", 1)[0] for f in files for kind in ("resource", "data") for b in f.of_kind(kind)}
    providers |= {b.labels[0] for f in files for b in f.of_kind("provider") if b.labels}
    what = {"var": "variable", "local": "local value", "module": "module"}
    for f in files:
        for block in f.blocks:
            if block.kind in ("terraform", "moved", "import", "removed", "check"):
                continue
            iterators = {b.labels[0] for b in _nested(block) if b.kind == "dynamic" and b.labels}
            for attr in _walk(block):
                for text in _expressions(attr.value):
                    bound = {n for pair in _FOR_NAMES.findall(text) for n in pair if n} | iterators
                    for kind, name in _REF.findall(text):
                        if name not in declared[kind]:
                            raise EnvgateError(f"{block.file}:{attr.line}: reference to undeclared {what[kind]} "
                                               f"{kind}.{name} in {block.address}; tofu refuses this")
                    for data, provider, rest, name in _RES_REF.findall(text):
                        head = f"{provider}_{rest}"
                        if head in bound or provider not in providers:
                            continue
                        address = f"{data}{head}.{name}"
                        if address not in blocks:
                            raise EnvgateError(f"{block.file}:{attr.line}: reference to undeclared "
                                               f"{'data source' if data else 'resource'} {address} in "
                                               f"{block.address}; tofu refuses this")


def _nested(block: Block) -> Iterator[Block]:
    for child in block.blocks:
        yield child
        yield from _nested(child)


# --- variables and var files ---------------------------------------------------------------------------------

def var_values(raw: RawConfig, layout: Layout) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """Each variable's value from the var files (later files win, as in tofu) and where it was set.

    A variable with no value and no default, or a value that does not fit its declared type, is an error.
    """
    variables = raw.variables()
    values: dict[str, Any] = {}
    where: dict[str, tuple[str, int]] = {}
    for rel in layout.var_files:
        path = layout.root / rel
        tfvars = load(path, rel)
        if not tfvars.attrs and not tfvars.blocks:  # one line, not a FAIL for every variable it should set
            raise EnvgateError(f"{rel}: empty tfvars file: it sets none of the environment's variables")
        for name, attr in tfvars.attrs.items():
            declared = variables.get(name)
            if declared is not None:
                _fits(attr, declared, rel)
            values[name] = attr.value
            where[name] = (rel, attr.line)
    for name, block in variables.items():
        if name not in values and "default" not in block.attrs:
            files = ", ".join(layout.var_files) or "no var file"
            raise EnvgateError(f"{block.file}:{block.line}: variable {name!r} has no value for environment "
                               f"{layout.env} (no default, not set in {files})")
    return values, where


def _fits(attr: Attr, variable: Block, file: str) -> None:
    declared = variable.attrs.get("type")
    if declared is None or isinstance(attr.value, Expr):
        return
    kind = str(declared.value).split("(", 1)[0].strip()
    value = attr.value
    ok = {"string": lambda v: isinstance(v, (str, int, float, bool)),
          "number": lambda v: (isinstance(v, (int, float)) and not isinstance(v, bool))
          or (isinstance(v, str) and re.fullmatch(r"-?\d+(\.\d+)?", v) is not None),
          "bool": lambda v: isinstance(v, bool) or v in ("true", "false"),
          "list": lambda v: isinstance(v, list), "set": lambda v: isinstance(v, list),
          "tuple": lambda v: isinstance(v, list),
          "map": lambda v: isinstance(v, dict), "object": lambda v: isinstance(v, dict)}.get(kind)
    if ok is not None and value is not None and not ok(value):
        got = {bool: "bool", int: "number", float: "number", str: "string", list: "list", dict: "object"}.get(
            type(value), type(value).__name__)
        raise EnvgateError(f"{file}:{attr.line}: {attr.name} is a {got}, but variable {attr.name!r} is "
                           f"{declared.value} ({variable.file}:{variable.line}); tofu refuses this")


# --- evaluation ----------------------------------------------------------------------------------------------

def evaluate(layouts: Sequence[Layout]) -> dict[str, list[Resource]]:
    """Each layout's environment evaluated into Resources (cached; uncached ones run in parallel)."""
    raws: dict[tuple[Path, str], tuple[RawConfig, str]] = {}
    prepared = []
    for layout in layouts:
        key = (layout.root, layout.stack)
        if key not in raws:
            raw = load_raw(layout.root, layout.stack)
            raws[key] = (raw, _stack_digest(layout.root / layout.stack))
        raw, digest = raws[key]
        values, where = var_values(raw, layout)
        prepared.append((layout, raw, values, where, _cache_key(layout, digest)))
    done: dict[str, list[Resource]] = {}
    for layout, _, _, _, key in prepared:
        cached = _load_normalized(key)
        if cached is not None:
            done[layout.env] = cached
    pending = [item for item in prepared if item[0].env not in done]
    blocks = _run_tfparse([(layout, key) for layout, _, _, _, key in pending])
    for layout, raw, values, where, key in pending:
        done[layout.env] = normalize(blocks[layout.env], layout, raw, values, where)
        _store(_cache_dir() / f"{key}.pickle", pickle.dumps(done[layout.env]))
    return {layout.env: done[layout.env] for layout in layouts}


def _load_normalized(key: str) -> list[Resource] | None:
    try:
        # Only envgate writes under ENVGATE_HOME (its own cache), so unpickling it is safe.
        value = pickle.loads((_cache_dir() / f"{key}.pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return value if isinstance(value, list) else None


def _stack_digest(stack: Path) -> str:
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("tfparse").encode())
    for source in ("tfparse_worker.py", "hcl.py", "../resource.py", "../hclsource.py"):
        digest.update((Path(__file__).parent / source).read_bytes())
    for path in sorted(stack.rglob("*")):
        if path.suffix in (".tf", ".tfvars", ".json") and ".terraform" not in path.parts and path.is_file():
            digest.update(path.relative_to(stack).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cache_key(layout: Layout, stack_digest: str) -> str:
    digest = hashlib.sha256(f"{stack_digest}\0{layout.workspace}\0{layout.stack}\0".encode())
    for rel in layout.var_files:
        digest.update(rel.encode() + b"\0" + (layout.root / rel).read_bytes())
    return digest.hexdigest()[:32]


def _cache_dir() -> Path:
    return home() / "eval-cache"


def _run_tfparse(jobs: Sequence[tuple[Layout, str]]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    running = []
    for layout, key in jobs:
        cached = _cache_dir() / f"{key}.json"
        try:
            out[layout.env] = json.loads(cached.read_text())
            continue
        except (OSError, json.JSONDecodeError):
            pass
        stack = layout.root / layout.stack
        var_paths = [os.path.relpath(layout.root / rel, stack) for rel in layout.var_files]
        process = subprocess.Popen(worker_command(stack, layout.workspace, var_paths), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        running.append((layout, cached, process))
    for layout, cached, process in running:
        where = f"{layout.stack} ({layout.env})"
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise EnvgateError(f"{where}: tfparse did not finish within {TIMEOUT_S} s") from None
        if process.returncode != 0:
            lines = [ln for ln in stderr.splitlines() if ln.strip()]
            panic = next((ln for ln in lines if ln.startswith("panic:")), None)
            status = (f"killed by signal {-process.returncode}" if process.returncode < 0
                      else f"exit status {process.returncode}")
            why = panic or (lines[-1] if lines else status)
            raise EnvgateError(f"{where}: tfparse could not evaluate the configuration: {why[:300]}")
        try:
            out[layout.env] = json.loads(stdout)
        except json.JSONDecodeError:
            raise EnvgateError(f"{where}: tfparse printed no JSON") from None
        _store(cached, stdout)
    return out


def worker_command(stack: Path, workspace: str, var_paths: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "envgate.sources.tfparse_worker", str(stack), workspace, *var_paths]


def _store(path: Path, data: str | bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb" if isinstance(data, bytes) else "w", dir=path.parent,
                                         delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)  # atomic: parallel workers never read half a file
    except OSError:
        pass  # a read-only cache only costs speed


# --- normalization -------------------------------------------------------------------------------------------

@dataclass
class _Walk:
    ids: Mapping[str, str]      # tfparse block id -> address
    types: Mapping[str, str]    # address -> resource type
    unknown: set[str]
    sensitive: set[str]
    in_policy: bool = False
    transformed: bool = False   # the attribute's HCL applies a text function to a reference
    reasons: dict[str, str] = field(default_factory=dict)  # unknown path -> why, for the DEFERRED message

    def ref(self, uuid: str) -> str | None:
        return self.ids.get(uuid)

    def defer(self, path: str, why: str) -> None:
        self.unknown.add(path)
        self.reasons.setdefault(path, why)


def normalize(blocks: Mapping[str, list[dict]], layout: Layout, raw: RawConfig, values: Mapping[str, Any],
              where: Mapping[str, tuple[str, int]]) -> list[Resource]:
    items = [(kind, block) for kind, entries in blocks.items() for block in entries if isinstance(block, dict)]
    ids: dict[str, str] = {}
    types: dict[str, str] = {}
    for kind, block in items:
        meta = block.get("__tfmeta") or {}
        path = meta.get("path")
        if isinstance(path, str) and isinstance(block.get("id"), str):
            ids[block["id"]] = path
            types[path] = kind
    documents = {b["id"]: b for k, b in items if k == "aws_iam_policy_document" and isinstance(b.get("id"), str)}
    raw_documents = {i: raw.block(_root_base((b.get("__tfmeta") or {}).get("path", ""))) for i, b in documents.items()}
    default_tags = _default_tags(items)
    out: list[Resource] = []
    for kind, block in items:
        meta = block.get("__tfmeta") or {}
        if meta.get("type") not in ("resource", "data"):
            continue
        address = meta.get("path")
        if not isinstance(address, str):
            continue
        walk = _Walk(ids, types, set(), set())
        raw_block = raw.block(_root_base(address))
        file, line, lines = _location(raw_block, address, layout)
        values_out: dict[str, Any] = {}
        for key, value in block.items():
            if key in _META_ARGS:
                continue
            expression = _raw_expression(raw_block, key) if raw_block is not None and "module." not in address else None
            walk.transformed = bool(expression and _TRANSFORM.search(expression))
            walk.in_policy = "polic" in key
            if isinstance(value, str) and value in documents and (expression is None or _is_plain(expression)):
                values_out[key] = _document(documents[value], key, walk, raw_documents.get(value))
            else:
                values_out[key] = _clean(value, key, walk)
        if kind == "aws_iam_policy_document":
            values_out["json"] = _document(block, "json", walk, raw_block)
        _lost_keys(raw_block, values_out, walk, address)
        if meta.get("type") == "resource" and (default_tags or "tags" in values_out):
            values_out["tags_all"] = _tags_all(default_tags, values_out.get("tags"), walk)
        unexpanded = "each." in address or ("for_each" in block and any(
            isinstance(v, str) and "${each." in v for v in _leaves({k: v for k, v in block.items() if k not in _META_ARGS})))
        if unexpanded:  # tfparse left the for_each unexpanded: nothing about this block is known
            for key in set(values_out) | {"values"}:
                walk.defer(key, "for_each not expanded by the evaluation")
        out.append(Resource(type=kind, address=address, env=layout.env, values=values_out,
                            unknown=frozenset(walk.unknown), sensitive=frozenset(walk.sensitive),
                            reasons=walk.reasons,
                            file=file, line=line, lines=lines))
    out += _pseudo(raw, layout, values, where)
    return out


def _root_base(address: str) -> str:
    """The root-module block an address comes from: `module.m.aws_x.y[0]` -> `module.m`."""
    base = base_address(address)
    if base.startswith("module."):
        return ".".join(base.split(".")[:2])
    return base


def _location(raw_block: Block | None, address: str, layout: Layout) -> tuple[str | None, int | None, dict]:
    if raw_block is None:
        return None, None, {}
    if address.startswith("module."):  # findings inside a module point at the calling module block
        return raw_block.file, raw_block.line, {}
    lines: dict[str, int] = {}
    for path, attr in raw_block.walk_attrs():
        lines[path] = attr.line
        for key, key_line in attr.key_lines.items():
            lines[f"{path}.{key}"] = key_line
    if "tags" in lines:  # tags_all is tags merged over the provider's default_tags
        lines["tags_all"] = lines["tags"]
    return raw_block.file, raw_block.line, lines


def _raw_expression(block: Block, key: str) -> str | None:
    attr = block.attrs.get(key)
    if attr is None:
        return None
    return json.dumps(attr.value, default=str) if not isinstance(attr.value, str) else str(attr.value)


def _is_plain(expression: str) -> bool:
    return bool(_PLAIN_REF.match(expression.strip()))


def _clean(value: Any, path: str, walk: _Walk) -> Any:
    if isinstance(value, dict):
        if "__attribute__" in value:  # an unresolved reference object
            walk.defer(path, f"unresolved reference {value['__attribute__']}")
            return None
        if "__tfmeta" in value:  # a nested block: a one-element list, as in plan JSON
            return [_block_body(value, f"{path}[0]", walk)]
        return {k: _clean(v, f"{path}.{k}", walk) for k, v in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and "__tfmeta" in v for v in value):
            return [_block_body(v, f"{path}[{i}]", walk) for i, v in enumerate(value)]
        return [_clean(v, f"{path}[{i}]", walk) for i, v in enumerate(value)]
    if value is None:
        walk.defer(path, "null after evaluation, or a reference the evaluation could not resolve")
        return None
    if isinstance(value, str):
        return _clean_text(value, path, walk)
    return value


def _block_body(value: dict, path: str, walk: _Walk) -> dict:
    return {k: _clean(v, f"{path}.{k}", walk) for k, v in value.items() if k not in ("__tfmeta", "id")}


def _clean_text(value: str, path: str, walk: _Walk) -> Any:
    if value == _SENSITIVE:
        walk.defer(path, "sensitive")
        walk.sensitive.add(path)
        return None
    if value.startswith(("{", "[")) and (_UUID.search(value) or "${" in value):
        try:
            document = json.loads(value)
        except json.JSONDecodeError:
            document = None
        if isinstance(document, (dict, list)):
            inner = _Walk(walk.ids, walk.types, walk.unknown, walk.sensitive, in_policy=True,
                          transformed=walk.transformed, reasons=walk.reasons)
            return _clean(document, path, inner)
    if "${" in value or "__unresolved__" in value:
        walk.defer(path, "an expression the evaluation left unresolved")
        return None
    uuids = _UUID.findall(value)
    if not uuids:
        return value
    refs = [walk.ref(u) for u in uuids]
    if walk.transformed or None in refs:
        walk.defer(path, "a function of another block's computed value" if walk.transformed
                   else "a value of a block the evaluation did not return")
        return None
    if value == uuids[0]:
        walk.defer(path, f"computed by {refs[0]}")
        return "${" + str(refs[0]) + "}"
    if walk.in_policy:
        # An ARN template: account/region/partition slots are wildcards, any other block makes it that block's.
        own = [r for r in refs if walk.types.get(str(r)) not in _ARN_SLOTS]
        if own:
            walk.defer(path, f"an ARN of {own[0]}, known after apply")
            return "${" + str(own[0]) + "}"
        return _UUID.sub("*", value)
    walk.defer(path, f"computed from {', '.join(str(r) for r in refs)}")
    return None


def _document(block: dict, path: str, walk: _Walk, raw_block: Block | None) -> dict:
    """A data.aws_iam_policy_document as the JSON document it renders, with its unknowns kept."""
    statements = block.get("statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    raw_statements = raw_block.nested("statement") if raw_block is not None else []
    rendered = []
    for index, statement in enumerate(statements):
        where = f"{path}.Statement[{index}]"
        texts = [t for attr in _walk(raw_statements[index]) for t in _expressions(attr.value)] \
            if index < len(raw_statements) else []
        inner = _Walk(walk.ids, walk.types, walk.unknown, walk.sensitive, in_policy=True,
                      transformed=walk.transformed or any(_TRANSFORM.search(t) for t in texts),
                      reasons=walk.reasons)
        out: dict[str, Any] = {"Effect": statement.get("effect") or "Allow"}
        if statement.get("sid"):
            out["Sid"] = statement["sid"]
        for key, name in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                          ("not_resources", "NotResource")):
            if statement.get(key) is not None:
                out[name] = _clean(statement[key], f"{where}.{name}", inner)
        for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            entries = statement.get(key)
            if entries is None:
                continue
            principal: dict[str, Any] = {}
            for entry in entries if isinstance(entries, list) else [entries]:
                kind = entry.get("type") or "AWS"
                principal[kind] = _clean(entry.get("identifiers"), f"{where}.{name}.{kind}", inner)
            out[name] = principal
        conditions = statement.get("condition")
        if conditions is not None:
            condition: dict[str, Any] = {}
            for entry in conditions if isinstance(conditions, list) else [conditions]:
                test, variable = entry.get("test"), entry.get("variable")
                condition.setdefault(test, {})[variable] = _clean(entry.get("values"),
                                                                  f"{where}.Condition.{test}.{variable}", inner)
            out["Condition"] = condition
        rendered.append(out)
    return {"Version": block.get("version") or "2012-10-17", "Statement": rendered}


def _default_tags(items: Sequence[tuple[str, dict]]) -> dict[str, Any] | None:
    for kind, block in items:
        meta = block.get("__tfmeta") or {}
        if kind == "provider" and meta.get("label") == "aws" and not block.get("alias"):
            default = block.get("default_tags")
            default = default[0] if isinstance(default, list) and default else default
            tags = default.get("tags") if isinstance(default, dict) else None
            return tags if isinstance(tags, dict) else ({"__unknown__": None} if default else None)
    return None


def _tags_all(default: Mapping[str, Any] | None, tags: Any, walk: _Walk) -> Any:
    if "tags" in walk.unknown:
        walk.defer("tags_all", walk.reasons.get("tags", "tags unknown"))
        return None
    merged: dict[str, Any] = {}
    for source, prefix in ((default or {}, "default"), (tags if isinstance(tags, dict) else {}, "tags")):
        for key, value in source.items():
            if key == "__unknown__" or value is None:
                walk.defer("tags_all" if key == "__unknown__" else f"tags_all.{key}",
                           "provider default_tags not evaluated" if key == "__unknown__" else "no value after evaluation")
                continue
            merged[key] = _clean(value, f"tags_all.{key}", walk) if prefix == "default" else value
            if f"tags.{key}" in walk.unknown:
                walk.defer(f"tags_all.{key}", walk.reasons.get(f"tags.{key}", "tags unknown"))
    return merged


def _lost_keys(raw_block: Block | None, values: Mapping[str, Any], walk: _Walk, address: str) -> None:
    """Map entries and nested blocks the HCL sets but the evaluation lacks (e.g. set from a module output, or
    a dynamic block tfparse did not expand): unknown, not absent."""
    if raw_block is None or address.startswith("module."):
        return
    for child in raw_block.blocks:  # a (dynamic) nested block the evaluation dropped is not known absent
        name = child.labels[0] if child.kind == "dynamic" and child.labels else child.kind
        if name not in values and child.kind not in _META_ARGS:
            walk.defer(name, "a nested block the HCL sets but the evaluation lacks")
    for path, attr in raw_block.walk_attrs():
        if not isinstance(attr.value, dict) or path.startswith("dynamic"):
            continue
        node: Any = values
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            if part.startswith("["):
                index = int(part[1:-1])
                node = node[index] if isinstance(node, list) and index < len(node) else None
            else:
                node = node.get(part) if isinstance(node, dict) else None
        if path in walk.unknown or not isinstance(node, dict):
            continue
        for key in attr.value:
            if key not in node:
                walk.defer(f"{path}.{key}", "a map entry the HCL sets but the evaluation lacks")


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _pseudo(raw: RawConfig, layout: Layout, values: Mapping[str, Any],
            where: Mapping[str, tuple[str, int]]) -> list[Resource]:
    """Inputs of static-only rules as Resources: the environment's var values and the variable declarations."""
    file = layout.var_files[-1] if layout.var_files else None
    out = [Resource(type="tfvars", address="tfvars", env=layout.env,
                    values={k: _plain(v) for k, v in values.items()}, file=file, line=None,
                    lines={k: line for k, (_, line) in where.items()},
                    files={k: f for k, (f, _) in where.items()})]
    for name, block in raw.variables().items():
        conditions = [v.attrs["condition"] for v in block.nested("validation") if "condition" in v.attrs]
        out.append(Resource(type="variable", address=f"var.{name}", env=layout.env,
                            values={"validation_conditions": [str(c.value) for c in conditions],
                                    "declared_type": str(block.attrs["type"].value) if "type" in block.attrs else None},
                            file=block.file, line=block.line,
                            lines={"validation[*].condition": conditions[0].line} if conditions else {}))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Expr):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def locations(root: Path, stack: str = DEFAULT_STACK) -> dict[str, tuple[str, int]]:
    """Base address -> (file, line) of its block; resources of a local module point at the calling block."""
    raw = load_raw(root, stack)
    found = {b.address: (b.file, b.line) for kind in ("resource", "data") for b in raw.blocks(kind)}
    for name, files in raw.modules.items():
        call = raw.block(f"module.{name}")
        for block in (b for f in files for kind in ("resource", "data") for b in f.of_kind(kind)):
            found[f"module.{name}.{block.address}"] = (call.file, call.line) if call else (block.file, block.line)
    return found
