"""The mutation run: small deliberate bugs, one at a time, each judged by its module's tests.

Why it exists: a suite can pass while a real bug would too. For each module in
mutation/config.toml this draws a seeded sample of mutants (cosmic-ray's operators plus
mutation/operators.py), applies each one to an isolated copy of the project, runs only that
module's tests against it, and prints the score per module and every surviving mutant with
its file:line and diff. docs/mutation.md says how to read the report and how to mark a mutant
equivalent (mutation/equivalent.toml).

Why a copy: cosmic-ray writes each mutant into the file on disk. Other people edit and test
the checkout at the same time, so the run copies the working tree (or ``--ref``'s commit)
into a temporary folder per job, checks that the copy's tests import the copy's package, and
removes the folders when it ends, however it ends. Nothing under the checkout is written.

Usage: ``python mutation/run.py [--module NAME ...] [--sample N] [--seed S] [--jobs J]``
(``make mutation MODULE=journal SAMPLE=60 SEED=7 JOBS=2``).
"""
from __future__ import annotations

import argparse
import difflib
import fnmatch
import hashlib
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from config import ROOT, ConfigError, load_config, load_equivalents  # noqa: E402

KILLED, TIMEOUT, SURVIVED, EQUIVALENT, INCOMPETENT = (
    "killed", "timeout", "survived", "equivalent", "incompetent")


class RunError(Exception):
    """One line for the user; the run stops (exit 2)."""


@dataclass
class Mutant:
    id: str
    operator: str
    occurrence: int
    line: int
    col: int
    end: tuple[int, int] = (0, 0)
    line_first: int = 0        # the line of its position (``line`` becomes the diff's)
    outcome: str = ""
    diff: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class ModuleResult:
    name: str
    path: str
    target: float
    total: int = 0
    drawn: list[Mutant] = field(default_factory=list)
    clean_seconds: float = 0.0
    seconds: float = 0.0
    stale_equivalents: list[str] = field(default_factory=list)
    error: str = ""             # why the module could not be measured

    def count(self, outcome: str) -> int:
        return sum(1 for m in self.drawn if m.outcome == outcome)

    @property
    def score(self) -> float | None:
        """Killed (timeouts included) over killed + survived; equivalent and incompetent
        mutants are not in it."""
        killed = self.count(KILLED) + self.count(TIMEOUT)
        judged = killed + self.count(SURVIVED)
        return 100.0 * killed / judged if judged else None


# --------------------------------------------------------------------------- the copies

def _tree_files(ref: str | None) -> list[str]:
    if ref is not None:
        return []
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in out.decode().split("\0") if name]


def make_copy(dest: Path, ref: str | None, files: list[str]) -> None:
    """The working tree's files (tracked and untracked-but-not-ignored, as they are now) or
    the commit ``ref``, into ``dest``. Only reads the checkout."""
    dest.mkdir(parents=True)
    if ref is not None:
        archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT,
                                 capture_output=True)
        if archive.returncode:
            raise RunError(f"--ref {ref}: {archive.stderr.decode().strip().splitlines()[-1]}")
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
        return
    for name in files:
        source = ROOT / name
        if not source.is_file():   # deleted in the working tree but still in the index
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def python_command(copy: Path, args: list[str], env: dict | None = None) -> list[str]:
    """Run the venv's Python inside ``copy`` with the copy first on the import path (the
    checkout's editable install would otherwise win for `templating`), then the folder of
    the run's pytest plugin (mutation/pytest_lines.py, copied beside the copies)."""
    extra = [f"{key}={value}" for key, value in (env or {}).items()]
    return ["env", "-C", str(copy), f"PYTHONPATH={copy}:{copy.parent / 'plugin'}",
            "PYTHONDONTWRITEBYTECODE=1", *extra, sys.executable, *args]


def pytest_args(tests, stop_first: bool = True) -> list[str]:
    """``tests`` are paths and ``--deselect`` pairs (:func:`test_list`)."""
    return ["-m", "pytest", *(["-x"] if stop_first else []), "-q", "--no-header",
            "-p", "pytest_lines", *tests]


def test_list(copy: Path, module, log) -> list[str]:
    """The module's test paths present in the tree mutated, then its deselections."""
    tests = [t for t in module.tests if list(copy.glob(t))]
    for missing in sorted(set(module.tests) - set(tests)):
        log(f"[{module.name}] note: {missing} is not in this tree (--ref older than the test); "
            "left out")
    if not tests:
        raise RunError(f"{module.name}: none of its test paths exist in the tree mutated")
    for node in module.deselect:
        tests += ["--deselect", node]
    return tests


def check_copy(copy: Path) -> None:
    probe = subprocess.run(python_command(copy, ["-c", "import templating; print(templating.__file__)"]),
                           capture_output=True, text=True)
    where = Path(probe.stdout.strip() or "?").resolve()
    if probe.returncode or copy.resolve() not in where.parents:
        raise RunError(f"the copy in {copy} imports templating from {where}, not from itself; "
                       "refusing to mutate")


# --------------------------------------------------------------------------- mutants

def expand_operators(patterns, names) -> list[str]:
    chosen: list[str] = []
    for pattern in patterns:
        matched = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not matched:
            close = difflib.get_close_matches(pattern, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise RunError(f"mutation/config.toml: unknown operator '{pattern}'{hint}")
        chosen += [n for n in matched if n not in chosen]
    return chosen


def _annotation_spans(module_ast) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the type annotations are: with ``from __future__ import annotations`` they are
    never evaluated, so a mutant there (``int | None`` -> ``int << None``) is equivalent by
    construction and is not drawn."""
    from cosmic_ray.ast import ast_nodes

    spans = []
    for node in ast_nodes(module_ast):
        annotation = None
        if node.type in ("param", "funcdef"):
            annotation = node.annotation
        elif node.type == "annassign":
            annotation = node.children[1]
        if annotation is not None:
            spans.append((annotation.start_pos, annotation.end_pos))
    return spans


def enumerate_mutants(module: str, source: str, operators: list[str]) -> list[Mutant]:
    """Every mutant the operators can make in ``source`` (outside annotations), with an id
    that depends on the operator, the text of the line and the column in it (not the line
    number), so an equivalent mark survives edits elsewhere in the file.

    ``occurrence`` counts an operator's positions in the order cosmic-ray's own walk
    (``mutating.MutationVisitor``) meets them, so the spec applies exactly this mutant."""
    import cosmic_ray.plugins
    from cosmic_ray.ast import ast_nodes, get_ast

    lines = source.splitlines()
    module_ast = get_ast(source)
    spans = _annotation_spans(module_ast)
    ops = [(name, cosmic_ray.plugins.get_operator(name)()) for name in operators]
    counters = {name: 0 for name, _ in ops}
    found: dict[str, list[tuple[int, int, int]]] = {name: [] for name, _ in ops}
    for node in ast_nodes(module_ast):
        for name, operator in ops:
            for start, end in operator.mutation_positions(node):
                occurrence = counters[name]
                counters[name] += 1
                if not any(a <= start < b for a, b in spans):
                    found[name].append((occurrence, start, end))
    mutants: list[Mutant] = []
    seen: dict[str, int] = {}
    for name, _ in ops:
        for occurrence, (line, col), end in found[name]:
            text = lines[line - 1] if line - 1 < len(lines) else ""
            stripped = text.lstrip()
            key = f"{module}|{name}|{stripped}|{col - (len(text) - len(stripped))}"
            seen[key] = seen.get(key, -1) + 1
            digest = hashlib.sha1(f"{key}|{seen[key]}".encode()).hexdigest()[:8]
            mutants.append(Mutant(f"{module}-{digest}", name, occurrence, line, col, end, line))
    return mutants


def draw(mutants: list[Mutant], n: int, seed: int, module: str) -> list[Mutant]:
    """A seeded sample spread over source lines: every line gets one mutant before any line
    gets a second, so a line with twelve operator swaps does not crowd out the rest."""
    if n == 0 or n >= len(mutants):
        return list(mutants)
    rng = random.Random(f"{seed}:{module}")
    shuffled = list(mutants)
    rng.shuffle(shuffled)
    by_line: dict[int, list[Mutant]] = {}
    for mutant in shuffled:
        by_line.setdefault(mutant.line, []).append(mutant)
    queues = list(by_line.values())
    picked: list[Mutant] = []
    while len(picked) < n:
        for queue in queues:
            if queue and len(picked) < n:
                picked.append(queue.pop(0))
    return sorted(picked, key=lambda m: (m.line, m.col, m.operator))


def mutated_source(source: str, mutant: Mutant) -> str | None:
    import cosmic_ray.plugins
    from cosmic_ray.mutating import mutate_code

    return mutate_code(source, cosmic_ray.plugins.get_operator(mutant.operator)(),
                       mutant.occurrence)


def short_diff(source: str, mutated: str) -> tuple[int, list[str]]:
    """(first changed line, the -/+ lines) of a mutant."""
    first, lines = 0, []
    for row in difflib.unified_diff(source.splitlines(), mutated.splitlines(), n=0,
                                    lineterm=""):
        if row.startswith("@@") and not first:
            first = int(row.split()[1].lstrip("-").split(",")[0])
        elif row[:1] in "-+" and not row.startswith(("---", "+++")):
            lines.append(row)
    return first, lines


# --------------------------------------------------------------------------- running

_PROCESSES: set = set()
_PROCESSES_LOCK = threading.Lock()
_STOPPING = threading.Event()


def run_command(command: list[str], timeout: float | None) -> tuple[int | None, str]:
    """(exit status or ``None`` on timeout, output) of one test run, in its own process
    group, remembered so that an interrupted run kills it (:func:`kill_all`)."""
    with _PROCESSES_LOCK:
        if _STOPPING.is_set():      # interrupted: start nothing new
            raise KeyboardInterrupt
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        _PROCESSES.add(proc)
    try:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            return None, "timeout"
        return proc.returncode, out.decode("utf-8", "replace")
    finally:
        with _PROCESSES_LOCK:
            _PROCESSES.discard(proc)


def _kill(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass


def kill_all() -> None:
    with _PROCESSES_LOCK:
        _STOPPING.set()
        for proc in list(_PROCESSES):
            _kill(proc)


def cosmic_ray_run_tests(command: str, timeout):
    """cosmic-ray's ``testing.run_tests`` contract (non-zero exit or timeout: killed), but
    through :func:`run_command`, so no test process outlives an interrupted run."""
    from cosmic_ray.work_item import TestOutcome

    status, output = run_command(shlex.split(command), timeout)
    if status is None:
        return TestOutcome.KILLED, "timeout"
    return (TestOutcome.KILLED if status else TestOutcome.SURVIVED), output


def run_tests(copy: Path, tests, timeout: float | None, env: dict | None = None,
              stop_first: bool = True):
    """(passed, seconds, output tail) of the module's tests in the copy."""
    start = time.monotonic()
    status, output = run_command(python_command(copy, pytest_args(tests, stop_first), env),
                                 timeout)
    tail = output.strip().splitlines()[-3:]
    return status == 0, time.monotonic() - start, "\n".join(tail)


def covering_tests(lines_by_test: dict, first: int, last: int) -> list[str]:
    """Node ids of the tests that executed a line in first..last in the clean run."""
    span = set(range(first, last + 1))
    return [test for test, lines in lines_by_test.items() if span.intersection(lines)]


def run_module(module, copy: Path, config, args, equivalents, log) -> ModuleResult:
    import cosmic_ray.plugins
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome, WorkItem, WorkResult

    if args.stop.is_set():
        raise KeyboardInterrupt
    result = ModuleResult(module.name, module.path, module.target)
    started = time.monotonic()
    target = (copy / module.path).resolve()
    if copy.resolve() not in target.parents or ROOT.resolve() in target.parents:
        raise RunError(f"refusing to mutate {target}: not inside the copy {copy} "
                       "or inside the checkout")
    source = target.read_text(encoding="utf-8")
    tests = test_list(copy, module, log)

    trace = copy / ".mutation" / f"{module.name}.lines.json"
    trace.parent.mkdir(exist_ok=True)
    for attempt in (1, 2):   # a second try: timing-bound tests can fail on a busy machine
        passed, seconds, tail = run_tests(copy, tests, None)
        if passed:
            break
        log(f"[{module.name}] the clean run failed (try {attempt}): "
            f"{tail.splitlines()[-1] if tail else 'no output'}")
    if not passed:
        raise RunError(f"{module.name}: its tests fail before any mutation ({tail.splitlines()[-1] if tail else 'no output'}); "
                       "fix them first")
    result.clean_seconds = seconds
    timeout = config.timeout_factor * seconds + 10
    # which test executes which line: a second, traced run of every test (tracing slows
    # the bomb tests past their time bounds, so its failures are not verdicts)
    run_tests(copy, tests, None, {"MUTATION_TRACE": str(target),
                                  "MUTATION_TRACE_OUT": str(trace)}, stop_first=False)
    lines_by_test = json.loads(trace.read_text(encoding="utf-8"))
    select_file = copy / ".mutation" / f"{module.name}.select"

    operators = expand_operators(module.operators, cosmic_ray.plugins.operator_names())
    mutants = enumerate_mutants(module.name, source, operators)
    result.total = len(mutants)
    ids = {m.id for m in mutants}
    result.stale_equivalents = sorted(e.id for e in equivalents.values()
                                      if e.module == module.name and e.id not in ids)
    sample = module.sample if args.sample is None else args.sample
    seed = config.seed if args.seed is None else args.seed
    result.drawn = draw(mutants, sample, seed, module.name)

    session = copy / ".mutation" / f"{module.name}.sqlite"
    drawn_ids = {m.id for m in result.drawn}
    with use_db(str(session), WorkDB.Mode.create) as db:
        specs = {}
        for mutant in mutants:
            spec = MutationSpec(module_path=str(target), operator_name=mutant.operator,
                                operator_args={}, occurrence=mutant.occurrence,
                                start_pos=(mutant.line, mutant.col), end_pos=mutant.end)
            specs[mutant.id] = spec
            db.add_work_item(WorkItem.single(job_id=mutant.id, mutation=spec))
        skipped = [m.id for m in mutants if m.id not in drawn_ids]
        if skipped:
            db.set_multiple_results(skipped, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))

        for number, mutant in enumerate(result.drawn, 1):
            if args.stop.is_set():
                raise KeyboardInterrupt
            mutated = mutated_source(source, mutant)
            if mutated is not None:
                mutant.line, mutant.diff = short_diff(source, mutated)
            if mutant.id in equivalents:
                mutant.outcome = EQUIVALENT
                db.set_result(mutant.id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
            else:
                try:
                    compile(mutated or "", str(target), "exec")
                except SyntaxError:
                    mutated = None
                if mutated is None:
                    mutant.outcome = INCOMPETENT
                    db.set_result(mutant.id, WorkResult(worker_outcome=WorkerOutcome.NO_TEST))
                else:
                    begin = time.monotonic()
                    chosen = covering_tests(lines_by_test, mutant.line_first, mutant.end[0])
                    outcome = None
                    if chosen:   # only the tests that reach the mutant's lines, first
                        select_file.write_text("\n".join(chosen) + "\n", encoding="utf-8")
                        outcome = mutate_and_test(
                            [specs[mutant.id]],
                            _test_command(copy, tests, {"MUTATION_SELECT": str(select_file)}),
                            timeout)
                    if outcome is None or (outcome.worker_outcome == WorkerOutcome.NORMAL
                                           and outcome.test_outcome == TestOutcome.SURVIVED):
                        # no test reaches it (import-time code) or it survived them: the
                        # module's whole test list decides
                        outcome = mutate_and_test([specs[mutant.id]], _test_command(copy, tests),
                                                  timeout)
                    mutant.seconds = time.monotonic() - begin
                    db.set_result(mutant.id, outcome)
                    if outcome.worker_outcome != WorkerOutcome.NORMAL:
                        mutant.outcome = INCOMPETENT
                    elif outcome.test_outcome == TestOutcome.SURVIVED:
                        mutant.outcome = SURVIVED
                    elif outcome.output == "timeout":
                        mutant.outcome = TIMEOUT
                    else:
                        mutant.outcome = KILLED
                    if source != target.read_text(encoding="utf-8"):
                        raise RunError(f"{target} was not restored after mutant {mutant.id}")
            log(f"[{module.name} {number}/{len(result.drawn)}] {mutant.outcome:<11} "
                f"{module.path}:{mutant.line} {mutant.operator.split('/')[-1]} "
                f"({mutant.seconds:.1f} s)")
    result.seconds = time.monotonic() - started
    score = "n/a" if result.score is None else f"{result.score:.1f}%"
    log(f"[{module.name}] done: {score} ({result.count(KILLED) + result.count(TIMEOUT)} killed, "
        f"{result.count(SURVIVED)} survived, {result.count(EQUIVALENT)} equivalent, "
        f"{result.count(INCOMPETENT)} incompetent) in {result.seconds / 60:.1f} min")
    return result


def _test_command(copy: Path, tests, env: dict | None = None) -> str:
    return shlex.join(python_command(copy, pytest_args(tests), env))


# --------------------------------------------------------------------------- report

def report(results: list[ModuleResult], out=sys.stdout) -> None:
    def p(text=""):
        print(text, file=out)

    p("| module | mutants | drawn | killed | timeout | survived | equivalent | incompetent "
      "| score | target | minutes |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if r.error:
            p(f"| {r.name} | not measured: {r.error} |||||||||")
            continue
        score = "n/a" if r.score is None else f"{r.score:.1f}%"
        mark = "" if r.score is not None and r.score >= r.target else " (below)"
        p(f"| {r.name} | {r.total} | {len(r.drawn)} | {r.count(KILLED)} | {r.count(TIMEOUT)} "
          f"| {r.count(SURVIVED)} | {r.count(EQUIVALENT)} | {r.count(INCOMPETENT)} "
          f"| {score}{mark} | {r.target:g}% | {r.seconds / 60:.1f} |")
    for r in results:
        survivors = [m for m in r.drawn if m.outcome == SURVIVED]
        if survivors:
            p()
            p(f"Surviving mutants of {r.name} ({r.path}):")
            for m in survivors:
                p(f"  {m.id}  {r.path}:{m.line}  {m.operator}")
                for row in m.diff:
                    p(f"      {row}")
        for stale in r.stale_equivalents:
            p(f"note: mutation/equivalent.toml: {stale} matches no mutant of {r.name} any more "
              "(the line changed): remove it")


# --------------------------------------------------------------------------- main

def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="mutation/run.py",
        description="Seeded, sampled mutation run over the modules of mutation/config.toml.")
    parser.add_argument("--module", action="append", default=[],
                        help="module name from mutation/config.toml (repeat or comma-separate); "
                             "default: all")
    parser.add_argument("--sample", type=int, help="mutants drawn per module (0 = all)")
    parser.add_argument("--seed", type=int, help="seed of the draw")
    parser.add_argument("--jobs", type=int, default=2,
                        help="modules run side by side, each in its own copy (default 2: "
                             "one per core of the machine class CI runs on)")
    parser.add_argument("--ref", help="mutate this commit instead of the working tree")
    parser.add_argument("--list", action="store_true",
                        help="print the drawn mutants (id, file:line, diff) without running")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary copies (and cosmic-ray session files)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import cosmic_ray.plugins
        from operators import Provider
    except ImportError:
        print("mutation/run.py: cosmic-ray is not installed: pip install -e '.[mutation]' "
              "(make mutation does it)", file=sys.stderr)
        return 2
    import cosmic_ray.mutating

    cosmic_ray.plugins.OPERATOR_PROVIDERS["templating"] = Provider()
    cosmic_ray.mutating.run_tests = cosmic_ray_run_tests
    args.stop = threading.Event()
    lock = threading.Lock()

    def log(text):
        with lock:
            print(text, file=sys.stderr, flush=True)

    temp = None
    try:
        config = load_config()
        equivalents = load_equivalents(modules=config.modules)
        names = [n for value in args.module for n in value.split(",") if n] or list(config.modules)
        for name in names:
            if name not in config.modules:
                close = difflib.get_close_matches(name, list(config.modules), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise RunError(f"--module: no module '{name}' in mutation/config.toml{hint}")
        if args.jobs < 1 or (args.sample is not None and args.sample < 0):
            raise RunError("--jobs must be >= 1 and --sample >= 0")
        if args.list:
            return list_mutants(config, names, args)
        signal.signal(signal.SIGTERM, _interrupt)
        temp = Path(tempfile.mkdtemp(prefix="templating-mutation-"))
        (temp / "plugin").mkdir()
        shutil.copy2(Path(__file__).with_name("pytest_lines.py"), temp / "plugin")
        files = _tree_files(args.ref)
        copies = []
        for number in range(min(args.jobs, len(names))):
            copy = temp / f"copy{number}"
            make_copy(copy, args.ref, files)
            check_copy(copy)
            copies.append(copy)
        log(f"mutation: {len(names)} module(s) in {len(copies)} isolated copy(ies) under {temp}")
        started = time.monotonic()
        free = list(copies)
        free_lock = threading.Lock()

        def one(name):
            with free_lock:
                copy = free.pop()
            try:
                return run_module(config.modules[name], copy, config, args, equivalents, log)
            except RunError as exc:   # this module cannot be measured; the others go on
                log(f"mutation: {exc}")
                module = config.modules[name]
                return ModuleResult(name, module.path, module.target, error=str(exc))
            finally:
                with free_lock:
                    free.append(copy)

        pool = ThreadPoolExecutor(max_workers=len(copies))
        futures = [pool.submit(one, name) for name in names]
        try:
            results = [f.result() for f in futures]
        except BaseException:
            args.stop.set()         # workers stop before their next mutant
            pool.shutdown(wait=False, cancel_futures=True)   # modules not started never start
            kill_all()
            pool.shutdown(wait=True)
            raise
        pool.shutdown()
        report(results)
        print(f"\nseed {config.seed if args.seed is None else args.seed}, "
              f"{sum(len(r.drawn) for r in results)} mutants in "
              f"{(time.monotonic() - started) / 60:.1f} min, {len(copies)} job(s)")
        if any(r.error for r in results):
            return 2
        below = [r.name for r in results if r.score is None or r.score < r.target]
        return 1 if below else 0
    except (ConfigError, RunError) as exc:
        print(f"mutation: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mutation: interrupted", file=sys.stderr)
        return 130
    finally:
        kill_all()
        if temp is not None:
            if args.keep:
                print(f"mutation: copies kept in {temp}", file=sys.stderr)
            else:
                shutil.rmtree(temp, ignore_errors=True)


def _interrupt(signum, frame):
    """SIGTERM ends the run like Ctrl+C: test processes killed, copies removed."""
    raise KeyboardInterrupt


def list_mutants(config, names, args) -> int:
    import cosmic_ray.plugins

    for name in names:
        module = config.modules[name]
        source = (ROOT / module.path).read_text(encoding="utf-8")
        operators = expand_operators(module.operators, cosmic_ray.plugins.operator_names())
        mutants = enumerate_mutants(name, source, operators)
        sample = module.sample if args.sample is None else args.sample
        seed = config.seed if args.seed is None else args.seed
        drawn = draw(mutants, sample, seed, name)
        print(f"{name}: {len(mutants)} mutants, {len(drawn)} drawn")
        for mutant in drawn:
            mutated = mutated_source(source, mutant)
            line, diff = short_diff(source, mutated) if mutated else (mutant.line, [])
            print(f"  {mutant.id}  {module.path}:{line}  {mutant.operator}")
            for row in diff:
                print(f"      {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
