"""components/data.py: shared results of Python computations (data.cached) are keyed by the workspace, its
version and the arguments, so two workspaces or two imports never hand out each other's results."""

from __future__ import annotations

from components import data
from loyalty.settings import Settings
from tests.conftest import d, make_workspace

CALLS: list[tuple] = []


def _last_day_plus(days: int) -> tuple:
    """A stand-in for a model fit: reads the workspace through data.query, records each real computation."""
    CALLS.append((str(data.settings().workspace), days))
    return (data.query("data_range").iloc[0]["last_date"], days)


def _use(monkeypatch, root) -> None:
    monkeypatch.setattr(data, "SETTINGS", Settings.from_env(workspace=root))


def test_cached_results_are_keyed_by_workspace_version_and_arguments(monkeypatch, tmp_path):
    first = make_workspace(tmp_path / "first", transactions=[dict(customer_id="A", order_date=d("2026-01-05"),
                                                                   revenue=10.0)])
    make_workspace(tmp_path / "second", transactions=[dict(customer_id="B", order_date=d("2026-02-07"),
                                                           revenue=5.0)])
    CALLS.clear()
    _use(monkeypatch, first.root)
    result = data.cached(_last_day_plus, 1)
    assert str(result[0])[:10] == "2026-01-05"
    assert data.cached(_last_day_plus, 1) is result  # shared, not recomputed or copied
    assert len(CALLS) == 1
    data.cached(_last_day_plus, 2)
    assert len(CALLS) == 2  # other arguments: computed

    # another workspace at the same version number gets its own result
    _use(monkeypatch, tmp_path / "second")
    assert str(data.cached(_last_day_plus, 1)[0])[:10] == "2026-02-07"
    assert len(CALLS) == 3

    # an import (new version) of the first workspace: computed again from the new data
    _use(monkeypatch, first.root)
    make_workspace(first.root, transactions=[dict(customer_id="A", order_date=d("2026-03-09"), revenue=1.0)])
    assert str(data.cached(_last_day_plus, 1)[0])[:10] == "2026-03-09"
    assert len(CALLS) == 4
