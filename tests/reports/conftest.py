import pytest

from tests.reports.support import REPORTS_FOLDER


@pytest.fixture(autouse=True)
def _reports_folder(app, monkeypatch):
    """The app writes and reads report files in this run's folder (the worker has it from the environment)."""
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)
    return REPORTS_FOLDER
