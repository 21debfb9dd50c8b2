"""Mutation operators cosmic-ray lacks and this project needs (provider name ``templating``).

Why: cosmic-ray's core operators change Python operators, keywords and numbers. Three kinds
of bug that matter here are none of those:

* ``ReturnNone``: a function returning the wrong value (``return x`` -> ``return None``);
  cosmic-ray only reaches returned values that happen to be numbers or ``True``/``False``.
* ``LambdaNone``: an entry of a Java method table (``"signum": lambda n: ...``) answering
  ``null``; the tables are module-level dicts of lambdas, so the whole answer is the body.
* ``SqlReplace``: the send journal's meaning lives in SQL text (``WHERE run_id=? AND
  batch_idx=?``); to cosmic-ray that is an opaque string. This operator edits the SQL inside
  string literals: ``AND``<->``OR``, drops ``NOT``, ``IS NULL``<->``IS NOT NULL``,
  ``ASC``<->``DESC``, ``MIN``<->``MAX``, a comparison after ``WHERE`` (``=``<->``!=``,
  ``<``<->``>=``, ``>``<->``<=``), a stored flag ``=0``<->``=1`` and a quoted literal
  (``'ERROR'`` -> ``''``). A string counts as SQL when the literal it belongs to (all the
  pieces of an implicit concatenation, or one f-string) holds an upper-case SQL keyword;
  docstrings never do.

The runner registers :class:`Provider` in ``cosmic_ray.plugins.OPERATOR_PROVIDERS`` itself,
so nothing here needs an installed entry point.
"""
from __future__ import annotations

import re

import parso.python.tree as tree
from cosmic_ray.operators.operator import Example, Operator


def _none_like(node) -> tree.Keyword:
    """A ``None`` keyword taking ``node``'s place (and its leading whitespace)."""
    prefix = node.get_first_leaf().prefix or " "
    return tree.Keyword("None", node.start_pos, prefix=prefix)


def _is_none(node) -> bool:
    return isinstance(node, tree.Keyword) and node.value == "None"


class ReturnNone(Operator):
    """``return <expr>`` -> ``return None``."""

    def mutation_positions(self, node):
        if isinstance(node, tree.ReturnStmt) and len(node.children) == 2 \
                and not _is_none(node.children[1]):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        node.children[1] = _none_like(node.children[1])
        return node

    @classmethod
    def examples(cls):
        return (Example("def f():\n    return x + 1\n", "def f():\n    return None\n"),)


class LambdaNone(Operator):
    """``lambda args: <expr>`` -> ``lambda args: None``."""

    def mutation_positions(self, node):
        if isinstance(node, tree.Lambda) and not _is_none(node.children[-1]):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        node.children[-1] = _none_like(node.children[-1])
        return node

    @classmethod
    def examples(cls):
        return (Example("t = {'a': lambda s: s.upper()}", "t = {'a': lambda s: None}"),)


_SQL_WORDS = re.compile(r"\b(?:SELECT|UPDATE|INSERT|DELETE|WHERE|AND|OR|SET|FROM)\b")
_WHERE = re.compile(r"\bWHERE\b")
# (pattern, replacement, only after WHERE). Comparisons outside WHERE are assignments
# (SET a=?) or DDL, where a change is a syntax error any test run reports: no information.
_SQL_EDITS = (
    (re.compile(r"\bAND\b"), "OR", False),
    (re.compile(r"\bOR\b"), "AND", False),
    (re.compile(r"(?<!IF )\bNOT "), "", False),
    (re.compile(r"\bIS NULL\b"), "IS NOT NULL", False),
    (re.compile(r"\bDESC\b"), "ASC", False),
    (re.compile(r"\bASC\b"), "DESC", False),
    (re.compile(r"\bMAX\("), "MIN(", False),
    (re.compile(r"\bMIN\("), "MAX(", False),
    (re.compile(r"(?<![<>!=])=(?!=)"), "!=", True),
    (re.compile(r"!="), "=", True),
    (re.compile(r"<(?![=>])"), ">=", True),
    (re.compile(r">(?!=)"), "<=", True),
    (re.compile(r"<="), ">", True),
    (re.compile(r">="), "<", True),
    (re.compile(r"(?<==)0\b"), "1", False),
    (re.compile(r"(?<==)1\b"), "0", False),
    (re.compile(r"'[A-Za-z_]+'"), "''", False),
)


def _group(node):
    """The whole literal ``node`` is part of, as (text, offset of node's value in it)."""
    parent = node.parent
    if node.type == "fstring_string":
        parts = [c for c in parent.children if c.type == "fstring_string"]
    elif parent is not None and parent.type == "strings":
        parts = [c for c in parent.children if c.type == "string"]
    else:
        parts = [node]
    text, offset = "", 0
    for part in parts:
        if part is node:
            offset = len(text)
        text += part.value + "\n"
    return text, offset


def _is_docstring(node) -> bool:
    parent = node.parent
    return node.type == "string" and parent is not None and parent.type == "simple_stmt"


def _sql_sites(node):
    """Each (start, end, replacement) the SQL edits can make inside ``node``'s value."""
    if node.type not in ("string", "fstring_string") or _is_docstring(node):
        return []
    text, offset = _group(node)
    if not _SQL_WORDS.search(text):
        return []
    where = _WHERE.search(text)
    where_at = where.start() if where else None
    sites = []
    for pattern, replacement, after_where in _SQL_EDITS:
        for match in pattern.finditer(node.value):
            if after_where and (where_at is None or offset + match.start() < where_at):
                continue
            sites.append((match.start(), match.end(), replacement))
    return sites


def _position(node, index: int) -> tuple[int, int]:
    """(line, column) of character ``index`` of ``node.value`` (strings may span lines)."""
    before = node.value[:index]
    line, col = node.start_pos
    newlines = before.count("\n")
    if newlines:
        return line + newlines, len(before) - before.rfind("\n") - 1
    return line, col + index


class SqlReplace(Operator):
    """One edit of the SQL text inside a string literal (see the module docstring)."""

    def mutation_positions(self, node):
        for start, end, _ in _sql_sites(node):
            yield (_position(node, start), _position(node, end))

    def mutate(self, node, index):
        start, end, replacement = _sql_sites(node)[index]
        node.value = node.value[:start] + replacement + node.value[end:]
        return node

    @classmethod
    def examples(cls):
        return (
            Example('q = ("SELECT a FROM t "\n     "WHERE b=? AND c=?")',
                    'q = ("SELECT a FROM t "\n     "WHERE b=? OR c=?")'),
            Example('q = "UPDATE t SET s=\'ERROR\', final=1 WHERE b=?"',
                    'q = "UPDATE t SET s=\'ERROR\', final=0 WHERE b=?"', occurrence=1),
        )


class Provider:
    """cosmic-ray operator provider: ``templating/<name>``."""

    _OPERATORS = {op.__name__: op for op in (ReturnNone, LambdaNone, SqlReplace)}

    def __iter__(self):
        return iter(self._OPERATORS)

    def __getitem__(self, name):
        return self._OPERATORS[name]
