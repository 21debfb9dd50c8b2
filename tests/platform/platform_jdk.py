"""The reference for tests/platform: the real JDK and Apache VelocityTools, when installed.

``jdk/ToolHarness.java`` answers one request per line (see its header). The recorded tables
in the test files were produced with it (JDK 17, VelocityTools 2.0 and 3.1 agree); the
differential tests re-run it on random input when ``javac`` and the VelocityTools jars are
available (``~/.m2`` or ``TEMPLATING_VELOCITY_TOOLS_CP``) and skip otherwise.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from templating.engine.java_core import format_double
from templating.platform.java_formats import (DecimalFormat, JavaIllegalArgument,
                                              SimpleDateFormat, java_timezone)
from templating.platform.mathtool import MathTool
from templating.platform.numbertool import NumberTool

HARNESS = Path(__file__).parent / "jdk" / "ToolHarness.java"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _jar(root: Path, pattern: str) -> Path | None:
    found = sorted(root.glob(pattern))
    return found[-1] if found else None


def velocity_tools_classpath() -> str | None:
    """Classpath with VelocityTools and its dependencies, or None when not installed."""
    if os.environ.get("TEMPLATING_VELOCITY_TOOLS_CP"):
        return os.environ["TEMPLATING_VELOCITY_TOOLS_CP"]
    m2 = Path.home() / ".m2" / "repository"
    tools = _jar(m2, "org/apache/velocity/tools/velocity-tools-generic/3.*/*.jar")
    deps = ["org/apache/commons/commons-lang3/3.*/commons-lang3-3.*.jar",
            "org/slf4j/slf4j-api/*/slf4j-api-*.jar",
            "commons-beanutils/commons-beanutils/*/commons-beanutils-*.jar"]
    if tools is None:
        tools = _jar(m2, "org/apache/velocity/velocity-tools/2.0/velocity-tools-2.0.jar")
        deps = ["commons-beanutils/commons-beanutils/*/commons-beanutils-*.jar",
                "commons-logging/commons-logging/*/commons-logging-*.jar"]
    if tools is None:
        return None
    jars = [tools]
    for dep in deps:
        jar = _jar(m2, dep)
        if jar is None:
            return None
        jars.append(jar)
    return os.pathsep.join(str(j) for j in jars)


def jdk_available() -> bool:
    return bool(shutil.which("javac") and shutil.which("java") and velocity_tools_classpath())


def run_reference(requests: list[str], workdir: Path) -> list[str]:
    """Answers of the JDK harness for tab-separated request lines."""
    cp = velocity_tools_classpath()
    classes = workdir / "classes"
    classes.mkdir(exist_ok=True)
    subprocess.run(["javac", "-nowarn", "-d", str(classes), "-cp", cp, str(HARNESS)],
                   check=True, capture_output=True, timeout=120)
    proc = subprocess.run(["java", "-cp", f"{classes}{os.pathsep}{cp}", "ToolHarness"],
                          input="\n".join(requests) + "\n", capture_output=True, text=True,
                          encoding="utf-8", check=True, timeout=120)
    return [normalize(line) for line in proc.stdout.splitlines()]


def normalize(answer: str) -> str:
    """Integer and Long both become ``int:`` (Python has one integer type)."""
    return re.sub(r"^(Integer|Long|Short|Byte):", "int:", answer)


def _arg(text: str):
    kind, value = text[0], text[2:]
    if kind in "il":
        return int(value)
    if kind == "d":
        return float(value)
    if kind == "b":
        return value == "true"
    if kind == "n":
        return None
    return value


def _show(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"Boolean:{'true' if value else 'false'}"
    if isinstance(value, int):
        return f"int:{value}"
    if isinstance(value, float):
        return f"Double:{format_double(value)}"  # the engine's one Double.toString
    return f"String:{value}"


_MATH = MathTool()
_NUMBER = NumberTool()


def ours(request: str) -> str:
    """What this package answers to one harness request line."""
    tool, method, *raw = request.split("\t")
    args = [_arg(a) for a in raw]
    try:
        if tool == "decimal":
            return _show(DecimalFormat(args[0]).format(args[1]))
        if tool in ("sdf", "sdfparse"):
            fmt = SimpleDateFormat(args[0], "en_US", java_timezone(args[1]))
            if tool == "sdf":
                return _show(fmt.format(_EPOCH + timedelta(milliseconds=args[2])))
            parsed = fmt.parse(args[2], now=datetime(2026, 11, 24, tzinfo=timezone.utc))
            if parsed is None:
                return "null"
            return _show(int((parsed - _EPOCH) // timedelta(milliseconds=1)))
        target = _MATH if tool == "math" else _NUMBER
        return _show(getattr(target, method)(*args))
    except JavaIllegalArgument:
        return "EXC IllegalArgumentException"
    except Exception as exc:  # the tools raise the engine's Java exception type
        match = re.search(r"(\w+(?:Exception|Error))", str(exc))
        return f"EXC {match.group(1) if match else type(exc).__name__}"


if __name__ == "__main__":  # re-record the expected answers with the JDK on this machine
    import json
    import sys
    import tempfile

    target = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "jdk_expected.json")
    recorded = json.loads(target.read_text(encoding="utf-8"))
    requests = [req for req, _ in recorded["answers"]]
    with tempfile.TemporaryDirectory() as tmp:
        answers = run_reference(requests, Path(tmp))
    recorded["answers"] = [[req, ans] for req, ans in zip(requests, answers)]
    rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in recorded["answers"])
    target.write_text('{"about": ' + json.dumps(recorded["about"]) + ',\n "answers": [\n'
                      + rows + "\n]}\n", encoding="utf-8")
    print(f"recorded {len(answers)} answers in {target}")
