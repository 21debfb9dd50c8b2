"""The distribution as a user gets it: build the sdist and wheel, install the wheel into a
clean virtual environment, and render, lint and preview the examples from it.

An editable install hides what the package forgets to ship (a preview page, a stylesheet, a
data file): the checkout is on the path. Here the project is copied to a temporary folder,
``python -m build`` builds the sdist and then the wheel *from the sdist* (so a file missing
from either shows), the wheel goes into a fresh venv, and the commands run from a folder
that is not the checkout, with ``templating`` imported from the venv's site-packages.

Two ways to get the dependencies into that venv:

- default (``make test``, offline, ~20 s): the venv gets the wheel alone and sees this
  environment's packages after its own, once they are checked against the wheel's
  ``Requires-Dist``;
- ``TEMPLATING_WHEEL_DEPS=index`` (``.ci/run``): pip installs the wheel and every dependency
  from the package index (or its cache); skipped, saying so, only when neither is there.

Marked ``wheel`` (``pytest -m "not wheel"`` leaves it out).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = "reteno-templating"
#: Copied into the build folder: what a clone of the repository has (no venv, caches or
#: build leftovers, which would hide a missing file or leak into the sdist).
_SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", "*.pyc",
                               "*.egg-info", ".pytest_cache", ".hypothesis", "node_modules",
                               "test-artifacts", "mutation-*")

pytestmark = pytest.mark.wheel


def _index_reachable() -> bool:
    """The package index answers, or pip has a cache or local wheels to install from."""
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        return True
    except OSError:
        pass
    cache = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], capture_output=True,
                           text=True).stdout.strip()
    local = os.environ.get("PIP_FIND_LINKS", "")
    return bool(cache and Path(cache).is_dir() and any(Path(cache).iterdir())) \
        or bool(local and Path(local).is_dir())


def _unmet_requirements(metadata: str) -> list[str]:
    """The wheel's own ``Requires-Dist`` (no extras) that this environment does not meet."""
    from importlib import metadata as installed

    from packaging.requirements import Requirement

    unmet = []
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist: "):
            continue
        requirement = Requirement(line[len("Requires-Dist: "):])
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            version = installed.version(requirement.name)
        except installed.PackageNotFoundError:
            unmet.append(str(requirement))
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            unmet.append(f"{requirement} (have {version})")
    return unmet


def _run(args, *, cwd, env=None, timeout=300):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _shipped_data(root: Path) -> set[str]:
    """Every non-Python file of the package as built: pages, styles, scripts, data."""
    return {path.relative_to(root).as_posix() for path in (root / "templating").rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc")
            and "__pycache__" not in path.parts}


def test_wheel_installs_and_runs_the_examples(tmp_path):
    if not _index_reachable():
        pytest.skip("no package index reachable and no pip cache: cannot build or install")
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=_SKIP, symlinks=True)
    dist = tmp_path / "dist"
    # sdist first, then the wheel built from the unpacked sdist (build's default)
    # the test extra has the build requirements, so no isolated environment to download
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist),
          str(source)], cwd=tmp_path)
    from templating import __version__
    wheels = list(dist.glob("*.whl"))
    sdists = list(dist.glob("*.tar.gz"))
    assert [w.name for w in wheels] == [f"reteno_templating-{__version__}-py3-none-any.whl"]
    assert [s.name for s in sdists] == [f"reteno_templating-{__version__}.tar.gz"]

    data = _shipped_data(source)
    assert data, "the package has no data files to check"
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"reteno_templating-{__version__}.dist-info/METADATA").decode()
    assert data <= names, f"missing from the wheel: {sorted(data - names)}"
    assert f"Name: {DIST}\n" in metadata and f"Version: {__version__}\n" in metadata
    with tarfile.open(sdists[0]) as sdist:
        prefix = f"reteno_templating-{__version__}/"
        in_sdist = {name[len(prefix):] for name in sdist.getnames()}
    assert {"pyproject.toml", "README.md"} | data <= in_sdist

    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    if os.environ.get("TEMPLATING_WHEEL_DEPS") == "index":
        # what a user gets: pip resolves and installs every dependency (.ci/run does this)
        if not _index_reachable():
            pytest.skip("no package index reachable and no pip cache: cannot install the "
                        "dependencies")
        _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
        _run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], cwd=tmp_path,
             timeout=900)
    else:
        # fast and offline: the wheel alone goes into the clean venv; its dependencies are
        # this environment's, checked against the wheel's Requires-Dist, on the path after
        # the venv's own site-packages (a .pth runs no nested .pth, so the checkout's
        # editable install stays inactive)
        assert _unmet_requirements(metadata) == []
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
        _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
              "--no-deps", "--no-index", str(wheels[0])], cwd=tmp_path)
        import sysconfig
        purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print("
                                       "sysconfig.get_paths()['purelib'])"],
                                      capture_output=True, text=True).stdout.strip())
        ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
        (purelib / "_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work = tmp_path / "work"          # the examples, away from the checkout and its config
    shutil.copytree(ROOT / "templates", work / "templates")
    shutil.copytree(ROOT / "previews", work / "previews")
    templating = str(venv / "bin" / "templating")

    where = _run([str(python), "-c", "import templating; print(templating.__file__)"],
                 cwd=work, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    assert _run([templating, "--version"], cwd=work, env=env).stdout == \
        f"templating {__version__} (distribution {DIST})\n"

    rendered = _run([templating, "render-examples", "--templates", "templates", "--previews",
                     "previews", "--out", "out"], cwd=work, env=env)
    expected = sum(1 for folder in (work / "previews").iterdir() if folder.is_dir()
                   for _ in folder.glob("*.json"))
    written = [p for p in (work / "out").rglob("*") if p.is_file()]
    assert len(written) >= expected > 0, rendered.stdout

    linted = _run([templating, "lint", "--format", "json"], cwd=work, env=env)
    report = json.loads(linted.stdout)
    assert report["summary"]["error"] == 0
    assert len(report["templates"]) == len(list((work / "templates").rglob("*.*")))

    # the gallery needs the package's pages, styles and scripts
    _run([templating, "preview", "--build", "site", "--templates", "templates", "--previews",
          "previews"], cwd=work, env=env)
    site = {p.suffix for p in (work / "site").rglob("*") if p.is_file()}
    assert {".html", ".css", ".js"} <= site, site
