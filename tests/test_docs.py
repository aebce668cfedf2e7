"""The documentation says what the code does."""

from loyalty import queries
from loyalty.contract import markdown_tables
from tests.conftest import ROOT


def test_data_contract_doc_matches_code():
    doc = (ROOT / "docs/data-contract.md").read_text(encoding="utf-8")
    assert markdown_tables().strip() in doc, "regenerate the tables part of docs/data-contract.md"


def test_every_metric_query_is_documented():
    doc = (ROOT / "docs/metrics.md").read_text(encoding="utf-8")
    helpers = {"data_range", "filter_options"}
    undocumented = [n for n in queries.names() if n not in helpers and f"queries/{n}.sql" not in doc]
    assert not undocumented, f"describe these in docs/metrics.md: {undocumented}"
