import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lint"))

from lintkit import Project  # noqa: E402


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project with templates/ and previews/, as the working folder."""
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)
