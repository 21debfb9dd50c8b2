import pytest

from lintkit import Project


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project with templates/ and previews/, as the working folder."""
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)
