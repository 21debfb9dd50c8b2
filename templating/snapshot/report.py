"""The diff's two reports: ``report.html`` to look at, ``report.md`` for a job summary.

``report.html`` is one self-contained file (pictures inlined as ``data:`` URLs, no external
request, a few lines of inline script for the sliders, which reuse the pictures shown beside them), so a CI artifact opens anywhere.
Every changed pair shows base, head, the highlighted difference and a slider over base and
head; added and removed pairs are listed with their one picture; unchanged pairs are
collapsed into one list of names. Template and scenario names come from the pull request
and are HTML-escaped (Markdown: table-escaped) everywhere.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

from .compare import DiffResult, Pair

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.pair{border:1px solid #ccc;border-radius:6px;padding:12px;margin:12px 0}
.row{display:flex;gap:12px;align-items:flex-start;overflow-x:auto}
figure{margin:0}figcaption{font-size:12px;color:#555}
img{border:1px solid #ddd;max-width:420px;display:block}
.slider{position:relative;display:inline-block}
.slider .top{position:absolute;top:0;left:0;overflow:hidden;width:50%}
.slider .top img{max-width:none}
.bad{color:#b00020}.note{color:#555}
"""

_SCRIPT = """
for (const img of document.querySelectorAll('img[data-copy]')) {
  img.src = document.getElementById(img.dataset.copy).src;   // each picture inlined once
}
for (const s of document.querySelectorAll('input[data-slider]')) {
  s.addEventListener('input', () => {
    document.getElementById(s.dataset.slider).style.width = s.value + '%';
  });
}
"""


def write_reports(result: DiffResult, out: Path) -> None:
    (out / "report.html").write_text(html_report(result, out), encoding="utf-8")
    (out / "report.md").write_text(markdown_report(result), encoding="utf-8")


def _name(p: Pair) -> str:
    return f"{p.template} [{p.scenario}] {p.width}px {p.scheme}"


def _summary(result: DiffResult) -> str:
    counts = {s: len(result.by_status(s)) for s in ("changed", "added", "removed",
                                                      "unchanged")}
    return (f"{counts['changed']} changed, {counts['added']} added, {counts['removed']} "
            f"removed, {counts['unchanged']} unchanged")


def _data_url(path: str | Path | None) -> str:
    if path is None:
        return ""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def html_report(result: DiffResult, out: Path) -> str:
    e = html.escape
    parts = ["<!doctype html><html><head><meta charset=\"utf-8\">",
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
             f"<title>Snapshot diff against {e(result.base_label)}</title>",
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>Snapshot diff against {e(result.base_label)}</h1>",
             f"<p>{e(_summary(result))}; threshold {result.threshold:g} of the pixels; "
             f"{'<b class=bad>fails</b>' if result.exit_code else 'passes'}.</p>"]
    changed = result.by_status("changed")
    if changed:
        parts.append("<h2>Changed</h2>")
    for n, p in enumerate(changed):
        over = p.fraction > result.threshold
        parts.append(
            f"<section class=pair id=\"changed-{n}\"><h3>{e(_name(p))}</h3>"
            f"<p class=\"{'bad' if over else 'note'}\">{p.changed_pixels:,} of "
            f"{p.total_pixels:,} pixels changed ({p.fraction:.4%})</p><div class=row>"
            f"<figure><figcaption>base</figcaption><img alt=base id=\"base-{n}\" "
            f"src=\"{_data_url(p.base_file)}\">"
            "</figure>"
            f"<figure><figcaption>head</figcaption><img alt=head id=\"head-{n}\" "
            f"src=\"{_data_url(p.head_file)}\">"
            "</figure>"
            f"<figure><figcaption>difference</figcaption><img alt=difference "
            f"src=\"{_data_url(out / p.diff_file) if p.diff_file else ''}\"></figure>"
            f"<figure><figcaption>slider: base | head</figcaption><div class=slider>"
            f"<img alt=head data-copy=\"head-{n}\">"
            f"<div class=top id=\"top-{n}\"><img alt=base data-copy=\"base-{n}\"></div>"
            f"</div><input type=range min=0 max=100 value=50 data-slider=\"top-{n}\" "
            f"aria-label=\"base and head\"></figure></div></section>")
    for status, label in (("added", "Added"), ("removed", "Removed")):
        pairs = result.by_status(status)
        if not pairs:
            continue
        parts.append(f"<h2>{label}</h2>")
        for p in pairs:
            picture = p.head_file if status == "added" else p.base_file
            parts.append(f"<section class=pair><h3>{e(_name(p))}</h3>"
                         f"<img alt=\"{status}\" src=\"{_data_url(picture)}\"></section>")
    for title, errors in (("Render errors in head", result.head_errors),
                          ("Render errors in base", result.base_errors)):
        if errors:
            parts.append(f"<h2>{title}</h2><ul>"
                         + "".join(f"<li><code>{e(line)}</code></li>" for line in errors)
                         + "</ul>")
    unchanged = result.by_status("unchanged")
    parts.append(f"<details><summary>Unchanged ({len(unchanged)})</summary><ul>"
                 + "".join(f"<li>{e(_name(p))}</li>" for p in unchanged) + "</ul></details>")
    parts.append(f"<script>{_SCRIPT}</script></body></html>\n")
    return "".join(parts)


def _md(text: str) -> str:
    """Table-cell text: no pipe, no line break, no HTML or Markdown that could render."""
    text = " ".join(str(text).split())
    for ch in "\\`*_[]<>|#!":
        text = text.replace(ch, "\\" + ch)
    return text


def markdown_report(result: DiffResult) -> str:
    lines = [f"### Snapshot diff against {_md(result.base_label)}", "",
             f"{_summary(result)}; threshold {result.threshold:g}: "
             f"**{'fails' if result.exit_code else 'passes'}**", ""]
    shown = [p for p in result.pairs if p.status != "unchanged"]
    if shown:
        lines += ["| status | template | scenario | width | scheme | changed |",
                  "|---|---|---|---|---|---|"]
        for p in shown:
            lines.append(f"| {p.status} | {_md(p.template)} | {_md(p.scenario)} | {p.width} "
                         f"| {p.scheme} | {p.fraction:.4%} |")
        lines.append("")
    for title, errors in (("Render errors in head", result.head_errors),
                          ("Render errors in base", result.base_errors)):
        if errors:
            lines += [f"**{title}**", ""] + [f"- {_md(line)}" for line in errors] + [""]
    lines.append("Pictures: report.html in the job's artifact.")
    return "\n".join(lines) + "\n"
