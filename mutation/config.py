"""Reading mutation/config.toml and mutation/equivalent.toml, strictly.

Why a module of its own: the runner (mutation/run.py) needs cosmic-ray, the test suite does
not have it; tests/test_mutation_config.py imports only this file to check that the config
names real modules and test paths and that every equivalent-mutant entry parses. A typo in
either file is one line naming the file and the key (with a "did you mean"), never a default.
"""
from __future__ import annotations

import difflib
import glob
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 gets tomli from the mutation extra
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = HERE / "config.toml"
EQUIVALENTS = HERE / "equivalent.toml"

_RUN_KEYS = {"seed", "sample", "timeout_factor", "operators"}
_MODULE_KEYS = {"path", "tests", "deselect", "target", "operators", "sample"}
_EQUIVALENT_KEYS = {"id", "module", "line", "diff", "reason"}


class ConfigError(Exception):
    """One line: which file, which key, what is wrong."""


@dataclass(frozen=True)
class Module:
    name: str
    path: str                  # the file mutated, relative to the project root
    tests: tuple[str, ...]     # pytest paths, relative to the project root
    target: float              # the score the issue asks for
    operators: tuple[str, ...]  # the run's operators plus this module's own
    sample: int                # mutants drawn (0: all)
    deselect: tuple[str, ...] = ()  # pytest node ids (prefixes) left out of `tests`


@dataclass(frozen=True)
class Config:
    seed: int
    sample: int
    timeout_factor: float
    modules: dict[str, Module] = field(default_factory=dict)


@dataclass(frozen=True)
class Equivalent:
    id: str
    module: str
    line: int
    diff: str
    reason: str


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _unknown(path: Path, where: str, keys, allowed: set[str]) -> None:
    for key in keys:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{path}: {where}: unknown key '{key}'{hint}")


def _typed(path: Path, where: str, value, kind, what: str):
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigError(f"{path}: {where}: must be {what}")
    return value


def _strings(path: Path, where: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{path}: {where}: must be a list of non-empty strings")
    return tuple(value)


def load_config(path: Path = CONFIG, root: Path = ROOT) -> Config:
    """The run settings and one :class:`Module` per ``[modules.NAME]`` table.

    Every module path must be a Python file and every test path must exist (a glob must match
    something) under ``root``: a renamed test file would otherwise silently judge nothing."""
    data = _read(path)
    _unknown(path, "top level", data, {"run", "modules"})
    run = data.get("run", {})
    _unknown(path, "[run]", run, _RUN_KEYS)
    seed = _typed(path, "[run] seed", run.get("seed", 0), int, "an integer")
    sample = _typed(path, "[run] sample", run.get("sample", 40), int, "an integer")
    factor = _typed(path, "[run] timeout_factor", run.get("timeout_factor", 3.0), float,
                    "a number")
    if sample < 0 or factor <= 0:
        raise ConfigError(f"{path}: [run]: sample must be >= 0 and timeout_factor > 0")
    base_ops = _strings(path, "[run] operators", run.get("operators", []))
    modules: dict[str, Module] = {}
    tables = data.get("modules", {})
    if not tables:
        raise ConfigError(f"{path}: no [modules.NAME] table")
    for name, table in tables.items():
        where = f"[modules.{name}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {where}: must be a table")
        _unknown(path, where, table, _MODULE_KEYS)
        for key in ("path", "tests"):
            if key not in table:
                raise ConfigError(f"{path}: {where}: '{key}' is missing")
        mod_path = _typed(path, f"{where} path", table["path"], str, "a string")
        if not mod_path.endswith(".py") or not (root / mod_path).is_file():
            raise ConfigError(f"{path}: {where} path: no Python file '{mod_path}'")
        tests = _strings(path, f"{where} tests", table["tests"])
        for test in tests:
            if not glob.glob(str(root / test)):
                raise ConfigError(f"{path}: {where} tests: no test file '{test}'")
        target = _typed(path, f"{where} target", table.get("target", 90), float, "a number")
        ops = base_ops + _strings(path, f"{where} operators", table.get("operators", []))
        mod_sample = _typed(path, f"{where} sample", table.get("sample", sample), int,
                            "an integer")
        deselect = _strings(path, f"{where} deselect", table.get("deselect", []))
        for node in deselect:
            if "::" not in node or not any(node.startswith(t.rstrip("/")) for t in tests):
                raise ConfigError(f"{path}: {where} deselect: '{node}' is not a test id "
                                  "(file::name) under the module's tests")
        modules[name] = Module(name, mod_path, tests, target, ops, mod_sample, deselect)
    return Config(seed, sample, factor, modules)


def load_equivalents(path: Path = EQUIVALENTS, modules=None) -> dict[str, Equivalent]:
    """Mutants marked equivalent, by id. Each ``[[equivalent]]`` needs the id the report
    printed, its module, and a reason; ``line`` and ``diff`` are for the reader (the id
    already pins the mutant: it does not change when code above it moves)."""
    data = _read(path)
    _unknown(path, "top level", data, {"equivalent"})
    entries = data.get("equivalent", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'equivalent' must be an array of tables ([[equivalent]])")
    found: dict[str, Equivalent] = {}
    for number, entry in enumerate(entries, 1):
        where = f"[[equivalent]] #{number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: {where}: must be a table")
        _unknown(path, where, entry, _EQUIVALENT_KEYS)
        for key in ("id", "module", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ConfigError(f"{path}: {where}: '{key}' must be a non-empty string")
        if modules is not None and entry["module"] not in modules:
            close = difflib.get_close_matches(entry["module"], sorted(modules), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{path}: {where}: unknown module '{entry['module']}'{hint}")
        if entry["id"] in found:
            raise ConfigError(f"{path}: {where}: id '{entry['id']}' is listed twice")
        line = _typed(path, f"{where} line", entry.get("line", 0), int, "an integer")
        diff = _typed(path, f"{where} diff", entry.get("diff", ""), str, "a string")
        found[entry["id"]] = Equivalent(entry["id"], entry["module"], line, diff,
                                        entry["reason"].strip())
    return found
