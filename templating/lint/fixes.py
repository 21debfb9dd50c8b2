"""``templating lint --fix``: apply the fixes rules declare, without ever losing a user's edit.

A rule declares how to fix one of its hits in one place, :meth:`Rule.fix
<templating.lint.rules.base.Rule.fix>`, as a :class:`Fix`: edits of the template text (start
and end offsets, replacement) and whether the fix is *safe*. A safe fix makes the template
say exactly what its text plainly means (``'#,##0.00'`` for a ``"#,##0.00"`` that nothing
interpolates, ``$foreach.count`` for the removed ``$velocityCount``); an unsafe one guesses or
turns text that was dropped or printed literally into live template code, so it is only
applied with ``--unsafe-fixes``. The runner puts the fix on the finding
(:attr:`Finding.fix <templating.lint.findings.Finding.fix>`), where the language server reads
the same fixes for its quick fixes.

:func:`fix_paths` lints each template, applies the non-overlapping fixes, lints the new text
again and repeats (at most :data:`MAX_PASSES` times: one fix can uncover another, and
overlapping ones wait for the next pass). Then, and only then, the file is rewritten:

- never through a symlink that leads out of the project (the linter's confinement decides,
  as for reading), and through one inside it the target file is rewritten, not the link;
- only if its bytes are still the ones read before the first pass (read again right before
  the replace): a file someone saved in the meantime is left alone, with a message;
- atomically: a temporary file in the same folder with the original's permission bits, then
  ``os.replace``, so a crash leaves the old file or the new one, never half of one.
"""
from __future__ import annotations

import difflib
from bisect import bisect_right
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.loader import decode_template
from ..errors import TemplateError
from .config import LintConfig
from .context import _LINE_BREAK

#: How many lint-and-fix rounds one file gets (each round re-lints the fixed text).
MAX_PASSES = 10
#: How many lint runs one pass may spend finding which fixes of a batch broke the template.
_TRIALS = 16
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` of the template (offsets into its decoded text)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Fix:
    """How to fix one finding: a title for people (and editors), the edits, and whether
    ``--fix`` may apply it without ``--unsafe-fixes``."""

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True

    def to_dict(self) -> dict:
        return {"title": self.title, "safe": self.safe,
                "edits": [{"start": e.start, "end": e.end, "replacement": e.replacement}
                          for e in self.edits]}


def apply_fixes(text: str, fixes) -> tuple[str, int]:
    """``text`` with every fix applied that overlaps no fix chosen before it (in order of
    position), and how many were applied. A fix's edits are applied together or not at
    all; identical fixes (two findings, one fix) count once."""
    chosen = choose(text, fixes)
    edits = sorted((e for fix in chosen for e in fix.edits), key=lambda e: e.start,
                   reverse=True)
    for edit in edits:
        text = text[:edit.start] + edit.replacement + text[edit.end:]
    return text, len(chosen)


def choose(text: str, fixes) -> list[Fix]:
    """The fixes :func:`apply_fixes` applies, in order of position."""
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    for fix in sorted(dict.fromkeys(fixes), key=lambda f: min(e.start for e in f.edits)):
        spans = [(e.start, e.end) for e in fix.edits]
        if any(not 0 <= s <= e <= len(text) for s, e in spans):
            continue
        if any(s < te and ts < e or s == e == ts == te for s, e in spans for ts, te in taken):
            continue
        chosen.append(fix)
        taken.extend(spans)
    return chosen


def line_starts(source: str) -> list[int]:
    """Offsets where each line starts, split where the parser splits (``\\n``, ``\\r\\n``,
    ``\\r``)."""
    starts = [0]
    starts.extend(m.end() for m in _LINE_BREAK.finditer(source))
    return starts


def offset_of(starts, line: int, column: int) -> int:
    """The offset of a 1-based ``line``:``column`` (as the parser numbers them)."""
    return starts[min(line, len(starts)) - 1] + column - 1


def template_offset(ctx, node) -> int | None:
    """Where ``node``'s source text starts in the template, or None when the text there is
    not the node's (a node from a partial, or a template edited since it was parsed)."""
    starts = ctx.cache.get("fixes.line_starts")
    if starts is None:
        starts = ctx.cache["fixes.line_starts"] = line_starts(ctx.source)
    source = getattr(node, "source", "") or ""
    start = offset_of(starts, node.line, node.column)
    return start if source and ctx.source[start:start + len(source)] == source else None


def make_quiet(ctx, node) -> Fix | None:
    """``$data.x`` -> ``$!data.x``: the reference prints nothing when the value is missing.
    Unsafe: it hides the gap instead of filling or guarding it, which only the author can
    judge."""
    source = getattr(node, "source", "") or ""
    start = template_offset(ctx, node)
    if start is None or not source.startswith("$") or source.startswith("$!"):
        return None
    return Fix(f"Make it quiet: $!{source[1:]}", (Edit(start + 1, start + 1, "!"),),
               safe=False)


def position_of(starts, offset: int) -> tuple[int, int]:
    """The 1-based ``(line, column)`` of an offset."""
    line = bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


@dataclass
class FileFix:
    """What ``--fix`` did (or, with ``--diff``, would do) to one template."""

    path: str                    # display path
    before: str
    after: str
    fixed: int = 0               # fixes applied over all passes
    written: bool = False
    #: why the file was left alone although fixes applied to it
    problem: str | None = None

    def diff(self) -> str:
        return "".join(difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
            fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


@dataclass
class FixReport:
    files: list[FileFix] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return sum(f.fixed for f in self.files if f.written or f.problem is None)

    @property
    def changed(self) -> list[FileFix]:
        return [f for f in self.files if f.after != f.before]

    def messages(self, *, write: bool) -> list[str]:
        lines = []
        for item in self.changed:
            if item.problem:
                lines.append(f"{item.path}: {item.problem}")
            elif write:
                lines.append(f"{item.path}: fixed {_count(item.fixed)}")
            else:
                lines.append(f"{item.path}: would fix {_count(item.fixed)}")
        return lines


def _count(n: int) -> str:
    return f"{n} finding" + ("" if n == 1 else "s")


def fix_paths(paths, config: LintConfig, *, unsafe: bool = False, write: bool = True
              ) -> FixReport:
    """Fix the templates ``templating lint PATH...`` would lint (see the module docstring);
    ``write=False`` computes the fixed texts (for ``--diff``) and writes nothing."""
    from .runner import Linter, collect_templates, display_path

    config = config.with_options(typed=tuple(Path(p) for p in paths))
    linter = Linter(config)
    report = FixReport()
    for path in collect_templates(paths, config):
        if not linter.confinement.allows(path):     # lint reports it; never read or written
            continue
        try:
            if os.stat(path).st_size > config.max_template_bytes:
                continue                              # lint reports it as too large
            raw = Path(path).read_bytes()
            text = decode_template(raw, name=str(path))
        except (OSError, TemplateError):
            continue                                  # lint reports it as unreadable
        item = FileFix(display_path(path), text, text)
        findings, _ctx = linter.lint_template(path, text=text)
        for _ in range(MAX_PASSES):
            fixes = {f.fix: f.code for f in findings
                     if f.fix is not None and f.path == item.path and (f.fix.safe or unsafe)}
            new, applied, findings = _fixed(linter, path, item.after, fixes,
                                            _breaks(findings))
            if not applied or new == item.after:
                break
            item.after, item.fixed = new, item.fixed + applied
        report.files.append(item)
        if write and item.after != item.before:
            item.problem = _replace(Path(path), raw, item.after, linter.confinement)
            item.written = item.problem is None
    return report


def _breaks(findings) -> int:
    return sum(1 for f in findings if f.name == "syntax-error")


def _fixed(linter, path, text, fixes, broken_before):
    """``text`` with ``fixes`` (each mapped to its rule's code) applied, how many, and the
    new text's findings. A fix that makes the template stop parsing (``#foreahc($x)`` is no
    ``#foreach``; a second ``#else`` in a block) is never kept. When the whole batch breaks
    it, each rule's fixes are tried on their own and those that keep it parsing are applied
    (the others come back, with fresh offsets, in the next pass); when every rule's fixes
    break it, the first rule's are tried in halves (the later half first, so the earlier
    half's offsets stay valid), within :data:`_TRIALS` lint runs."""
    budget = [_TRIALS]

    def attempt(current, batch):
        budget[0] -= 1
        new, applied = apply_fixes(current, batch)
        found, _ctx = linter.lint_template(path, text=new)
        return (new, applied, found) if _breaks(found) <= broken_before else None

    def halves(current, batch):
        if not batch or budget[0] <= 0:
            return current, 0, None
        done = attempt(current, batch)
        if done is not None or len(batch) == 1:
            return done or (current, 0, None)
        half = len(batch) // 2
        after, later, found_later = halves(current, batch[half:])
        result, earlier, found_earlier = halves(after, batch[:half])
        return result, later + earlier, found_earlier or found_later

    chosen = choose(text, fixes)
    done = attempt(text, chosen) if chosen else None
    if done is None and chosen:
        groups = {}
        for fix in chosen:
            groups.setdefault(fixes[fix], []).append(fix)
        harmless = [g for g in groups.values()
                    if len(groups) > 1 and attempt(text, g) is not None]
        if harmless:
            merged = sorted((f for g in harmless for f in g),
                            key=lambda f: min(e.start for e in f.edits))
            done = attempt(text, merged) or attempt(text, harmless[0])
        else:
            new, applied, found = halves(text, next(iter(groups.values())))
            done = (new, applied, found) if applied else None
    if done is None:
        return text, 0, []
    new, applied, findings = done
    if findings is None:
        findings, _ctx = linter.lint_template(path, text=new)
    return new, applied, findings


def _read_current(target: Path) -> bytes:
    """The file's bytes right before it is replaced (tests put a concurrent save here)."""
    return target.read_bytes()


def _replace(path: Path, original: bytes, text: str, confinement) -> str | None:
    """Write ``text`` over ``path`` atomically if it still holds ``original``; else why not."""
    target = Path(os.path.realpath(path))
    if not confinement.allows(path) or not confinement.allows(target):
        return "is a link out of the project; left as is"
    try:
        if _read_current(target) != original:
            return "changed since it was read; left as is (run --fix again)"
        mode = os.stat(target).st_mode & 0o7777
        data = (_UTF8_BOM if original.startswith(_UTF8_BOM) else b"") + text.encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".fix",
                                   dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, mode)
            if _read_current(target) != original:     # a save while we wrote
                os.unlink(tmp)
                return "changed since it was read; left as is (run --fix again)"
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError as err:
        return f"cannot be rewritten: {err.strerror or err}; left as is"
    return None
