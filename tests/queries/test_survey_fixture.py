"""The hand-made workspace of the survey tests (NPS, CSAT, responses, comments, closed loop, CLI, browser)
and checks that it is what the tables below say. Period Q1 = 2026-01-01 .. 2026-03-31.

Customers (segment, region): A S1 Nord, B S2 Süd, C S1 Süd, D S2 Nord, E S1 Nord, F S2 Süd.

Orders (channel, store)                                   active in: Jan A B | Feb B C | Mar D F
    A  o1 2025-03-01 100 (Filiale, Nürnberg), o2 2026-01-10 50 (Online)
    B  o3 2026-01-05 40 (Filiale, Fürth), o4 2026-02-20 60 (Filiale, Fürth)
    C  o5 2026-02-01 30 (Online) with a returned line -10 the same day
    D  o6 2026-03-01 80 (Telefon) and o7 2026-03-01 20 (Filiale, Nürnberg): two purchases on one day
    F  o8 2026-03-05 25 (Filiale, Fürth)
    E  never bought

Survey answers                                         referenced purchase = latest on/before the answer
    #  date        customer nps csat touchpoint  comment              -> channel
    1  2026-01-12  A        10  5    Online-Shop "Super schnell"      o2 Online
    2  2026-01-20  B         6  3    Filiale     "Lange Wartezeit"    o3 Filiale (Fürth)
    3  2026-02-05  C         8  4    Online-Shop -                    o5 Online (the return is no purchase)
    4  2026-02-25  B         9  -    Filiale     "Besser"             o4 Filiale (Fürth)
    5  2026-03-02  D         3  2    Hotline     "Niemand ruft zurück" o7 Filiale (Nürnberg): on a day with
                                                                      two purchases the greater order_id
    6  2026-03-10  anonymous 0  1    Filiale     "Schlecht"           none
    7  2026-03-15  E         -  4    Lieferung   "ok"                 none (E never bought)
    8  2026-03-20  A         7  4    Filiale     -                    o2 Online
    outside Q1: 2025-12-20 C nps 2 csat 1; 2026-04-02 D nps 10

Q1 with an nps: #1 #2 #3 #4 #5 #6 #8 = 7 answers; promoters #1 #4 (2), passives #3 #8 (2),
detractors #2 #5 #6 (3). Q1 with a csat: #1 #2 #3 #5 #6 #7 #8 = 7 answers, sum 23, top-2-box #1 #3 #7 #8 (4).

Contacts: B 2026-01-15 phone complaint (before answer #2), B 2026-01-25 phone inquiry (5 days after #2),
D 2026-03-12 email complaint (10 days after #5).
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d, make_workspace

Q1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"))


def _order(customer, day, revenue, order_id, channel, store=None):
    return dict(customer_id=customer, order_date=d(day), revenue=revenue, order_id=order_id, channel=channel,
                store=store)


SURVEY_TRANSACTIONS = [
    _order("A", "2025-03-01", 100.0, "o1", "Filiale", "Nürnberg"),
    _order("A", "2026-01-10", 50.0, "o2", "Online"),
    _order("B", "2026-01-05", 40.0, "o3", "Filiale", "Fürth"),
    _order("B", "2026-02-20", 60.0, "o4", "Filiale", "Fürth"),
    _order("C", "2026-02-01", 30.0, "o5", "Online"),
    _order("C", "2026-02-01", -10.0, "o5", "Online"),
    _order("D", "2026-03-01", 80.0, "o6", "Telefon"),
    _order("D", "2026-03-01", 20.0, "o7", "Filiale", "Nürnberg"),
    _order("F", "2026-03-05", 25.0, "o8", "Filiale", "Fürth"),
]
SURVEY_CUSTOMERS = [
    dict(customer_id="A", segment="S1", region="Nord"),
    dict(customer_id="B", segment="S2", region="Süd"),
    dict(customer_id="C", segment="S1", region="Süd"),
    dict(customer_id="D", segment="S2", region="Nord"),
    dict(customer_id="E", segment="S1", region="Nord"),
    dict(customer_id="F", segment="S2", region="Süd"),
]


def _answer(day, customer, nps, csat, touchpoint, comment=None):
    return dict(response_date=d(day), customer_id=customer, nps=nps, csat=csat, touchpoint=touchpoint,
                comment=comment)


SURVEY_ANSWERS = [
    _answer("2026-01-12", "A", 10, 5, "Online-Shop", "Super schnell"),
    _answer("2026-01-20", "B", 6, 3, "Filiale", "Lange Wartezeit"),
    _answer("2026-02-05", "C", 8, 4, "Online-Shop"),
    _answer("2026-02-25", "B", 9, None, "Filiale", "Besser"),
    _answer("2026-03-02", "D", 3, 2, "Hotline", "Niemand ruft zurück"),
    _answer("2026-03-10", None, 0, 1, "Filiale", "Schlecht"),
    _answer("2026-03-15", "E", None, 4, "Lieferung", "ok"),
    _answer("2026-03-20", "A", 7, 4, "Filiale"),
    _answer("2025-12-20", "C", 2, 1, "Filiale"),
    _answer("2026-04-02", "D", 10, None, "Hotline"),
]
SURVEY_CONTACTS = [
    dict(contact_date=d("2026-01-15"), customer_id="B", channel="phone", type="complaint", reason="Wartezeit",
         resolved_date=d("2026-01-16")),
    dict(contact_date=d("2026-01-25"), customer_id="B", channel="phone", type="inquiry", reason="Rückruf",
         resolved_date=d("2026-01-25")),
    dict(contact_date=d("2026-03-12"), customer_id="D", channel="email", type="complaint", reason="Lieferverzug"),
]


def build_survey_workspace(root):
    return make_workspace(root, transactions=SURVEY_TRANSACTIONS, customers=SURVEY_CUSTOMERS,
                          surveys=SURVEY_ANSWERS, contacts=SURVEY_CONTACTS)


def survey_workspace_fixture():
    """`survey_workspace = survey_workspace_fixture()` in a test module: the workspace, once per module."""

    @pytest.fixture(scope="module")
    def survey_workspace(tmp_path_factory):
        return build_survey_workspace(tmp_path_factory.mktemp("survey_ws"))

    return survey_workspace


def survey_con_fixture():
    """`survey_con = survey_con_fixture()` in a test module: a connection on the workspace, once per module."""
    from loyalty.db import connect

    @pytest.fixture(scope="module")
    def survey_con(tmp_path_factory):
        con = connect(build_survey_workspace(tmp_path_factory.mktemp("survey_ws")).snapshot())
        yield con
        con.close()

    return survey_con


survey_con = survey_con_fixture()


def test_fixture_holds_what_the_docstring_says(survey_con):
    counts = survey_con.execute("select count(*), count(nps), count(csat), count(customer_id) from surveys "
                                "where response_date between '2026-01-01' and '2026-03-31'").fetchone()
    assert counts == (8, 7, 7, 7)
    assert survey_con.execute("select count(*) from orders").fetchone() == (8,)


def test_survey_filter_block_is_identical_in_every_survey_query():
    """All survey metrics filter answers the same way (docs/metrics.md#survey-filters): the block from
    `with surveys_in_period` to the end of `filtered_surveys` must be the same text in each file."""
    names = [n for n in queries.names() if "filtered_surveys as (" in queries.load(n).sql]
    assert {"nps_by_group", "csat_by_group", "survey_responses", "survey_comments", "nps_closed_loop",
            "satisfaction_followup"} <= set(names)
    blocks = {n: _block(queries.load(n).sql, "with surveys_in_period as (", "filtered_surveys as (") for n in names}
    assert len(set(blocks.values())) == 1, "the survey filter CTEs differ between: " + ", ".join(names)


def _block(sql: str, first: str, last: str) -> str:
    start = sql.index(first)
    end = sql.index("\n),", sql.index(last))
    return sql[start:end]
