"""The measures page under AppTest: every measure, both languages, the hand-computed economics of the
measures fixture (tests/queries/measures_fixture.py), and the register/target editors' validation."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from loyalty import i18n
from loyalty.store import Workspace
from tests.conftest import ROOT, d
from tests.queries import measures_fixture


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return measures_fixture.build(tmp_path_factory.mktemp("measures_app")).root


def open_measures(monkeypatch, root, lang: str) -> AppTest:
    monkeypatch.setenv("LOYALTY_WORKSPACE", str(root))
    monkeypatch.setenv("LOYALTY_AUTO_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("app_pages/measures.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_measure_renders(monkeypatch, workspace, lang):
    at = open_measures(monkeypatch, workspace, lang)
    for measure_id in ("MA", "MZ", "MP"):
        at.selectbox(key="measures_measure").set_value(measure_id).run()
        assert not at.exception, (measure_id, at.exception)
        assert not at.error, (measure_id, [e.value for e in at.error])


def test_hand_computed_economics_on_the_page(monkeypatch, workspace):
    at = open_measures(monkeypatch, workspace, "en")
    # some orders have no margin: the margin-rate slider is offered
    at.slider(key="measures_follow_up").set_value(0).run()
    at.slider(key="measures_margin_rate").set_value(50).run()
    at.selectbox(key="measures_measure").set_value("MA").run()
    at.session_state["measures_tab_en"] = i18n.t("measures.tab.effect", "en")  # only the open tab runs
    at.run()
    assert not at.exception, at.exception
    metrics = {}
    for metric in at.metric:  # the first card of a label is the Effect tab's (the what-if repeats labels)
        metrics.setdefault(metric.label, metric.value)
    # tests/queries/test_measure_effects.py: margin uplift 24 x 3 participants = 72; cost 35 + 5 x 3 = 50;
    # ROI (72 - 50) / 50 = 44 %; break-even 50 / 3 = 16.67 per participant
    assert metrics["Incremental margin"] == "€72"
    assert metrics["Cost"] == "€50"
    assert metrics["ROI"] == "44%"
    assert metrics["Break-even uplift"] == "€16.67"


def test_measure_without_control_group_says_so(monkeypatch, workspace):
    at = open_measures(monkeypatch, workspace, "en")
    at.selectbox(key="measures_measure").set_value("MP").run()
    at.session_state["measures_tab_en"] = i18n.t("measures.tab.effect", "en")
    at.run()
    assert any("no control group" in w.value for w in at.warning)


def t(key, **values):
    return i18n.t(key, "en", **values)


def test_measure_validation_sentences():
    from components.measures_validation import validate_measures

    rows = pd.DataFrame([
        dict(measure_id="M1", name="A", instrument="bonus_program", start_date=d("2026-01-01"), end_date=d("2026-02-01"),
             fixed_cost=10.0, cost_per_participant=1.0),
        dict(measure_id="M1", name=None, instrument="lottery", start_date=d("2026-03-01"), end_date=d("2026-02-01"),
             fixed_cost=-5.0, cost_per_participant=None),
    ])
    errors = validate_measures(rows, t)
    assert errors == ["row 2 has no Name", "row 2 has the unknown instrument “lottery”", "row 2 ends before it starts",
                      "row 2 has a negative Fixed cost (€)", "the measure id “M1” appears more than once"]
    assert validate_measures(rows.iloc[:1], t) == []


def test_target_validation_and_contract_write(tmp_path):
    from components.measures_validation import to_arrow, validate_targets

    rows = pd.DataFrame([
        dict(kpi="revenue", period_start=pd.Timestamp("2026-01-01"), period_end=pd.Timestamp("2026-12-31"),
             segment=None, target=1000.0),
        dict(kpi="profit", period_start=pd.Timestamp("2026-01-01"), period_end=pd.Timestamp("2025-12-31"),
             segment="S1", target=None),
    ])
    assert validate_targets(rows, t) == ["row 2 has no Target", "row 2 has the unknown KPI “profit”",
                                         "row 2 ends before it starts"]
    ws = Workspace(tmp_path)
    result = ws.write("targets", to_arrow(rows.iloc[:1], "targets"), mode="replace", source="app editor", user="ana")
    assert result.rows_total == 1
    assert ws.changes(1)[0]["source"] == "app editor" and ws.changes(1)[0]["user"] == "ana"
