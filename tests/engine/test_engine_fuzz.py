"""Any template text either renders or fails with our one-line error, never a traceback."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from templating import TemplateError, render

PIECES = list("$#!{}()[]|.,'\"\\=<>+-*/%&@ \n\tabcxyz0129") + [
    "#if", "#elseif", "#end", "#else", "#set", "#foreach", "#macro", "#define", "#evaluate",
    "#parse", "#include", "#break", "#stop", "#@", "$data", " in ", "..", "##", "#*", "*#",
    "#[[", "]]#", "true", "null", "$foreach.count", "$data.l.get(", "$!{", "\\$", "%"]
CONTEXT = {"data": {"a": 1, "l": [1, 2], "s": "x", "m": {"k": None}}, "a": "A"}


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_render_never_raises_anything_else(template):
    try:
        out = render(template, CONTEXT)
    except TemplateError as err:
        line = err.one_line()
        assert "\n" not in line and line.startswith("<template>")
    else:
        assert isinstance(out, str)
