"""Header recognition: normalisation, German/English synonyms per table, fuzzy matches, overrides."""

import pytest

from loyalty.contract import TABLES
from loyalty.importing import ImportFileError
from loyalty.importing.mapping import SYNONYMS, map_columns, normalize_header, suggest_tables


@pytest.mark.parametrize("header,expected", [
    ("Umsatz (€)", "umsatz"),
    ("Umsatz [EUR]", "umsatz"),
    ("Umsatz in EUR", "umsatz"),
    ("Kunden-Nr.", "kunden nr"),
    ("  KdNr ", "kdnr"),
    ("Gelöst am", "geloest am"),
    ("Geschäft", "geschaeft"),
    ("customer_number", "customer number"),
    ("Maßnahme", "massnahme"),
    ("Order-Date", "order date"),
])
def test_normalize_header(header, expected):
    assert normalize_header(header) == expected


def test_every_contract_column_has_synonyms():
    for name, table in TABLES.items():
        assert set(SYNONYMS[name]) == set(table.column_names), name


GERMAN_ERP = ["Kundennummer", "Belegdatum", "Beleg-Nr.", "Artikel-Nr.", "Warengruppe", "Menge", "Filiale",
              "Umsatz (€)", "Deckungsbeitrag", "Vertriebsweg", "Sachbearbeiter"]


def test_german_erp_headers():
    m = map_columns(GERMAN_ERP, "transactions")
    assert m.as_dict() == {
        "customer_id": "Kundennummer", "order_date": "Belegdatum", "revenue": "Umsatz (€)", "order_id": "Beleg-Nr.",
        "product_id": "Artikel-Nr.", "category": "Warengruppe", "quantity": "Menge", "channel": "Vertriebsweg",
        "store": "Filiale", "margin": "Deckungsbeitrag",
    }
    assert m.kept_out == ["Sachbearbeiter"] and m.complete
    assert all(match.confidence == 1.0 for match in m.matches.values())


@pytest.mark.parametrize("header,target", [
    ("Kunden-Nr.", "customer_id"), ("KdNr", "customer_id"), ("Kunde", "customer_id"), ("customer id", "customer_id"),
    ("customer_number", "customer_id"), ("Datum", "order_date"), ("Bestelldatum", "order_date"),
    ("Kaufdatum", "order_date"), ("order date", "order_date"), ("Betrag", "revenue"), ("Nettoumsatz", "revenue"),
    ("Bruttoumsatz", "revenue"), ("amount", "revenue"), ("Sales", "revenue"), ("Anzahl", "quantity"),
    ("qty", "quantity"), ("Markt", "store"), ("Geschäft", "store"), ("Store", "store"), ("Kategorie", "category"),
    ("category", "category"), ("Bestellnummer", "order_id"), ("Auftragsnummer", "order_id"),
    ("Belegnummer", "order_id"), ("Artikelnummer", "product_id"), ("SKU", "product_id"), ("Kanal", "channel"),
    ("Marge", "margin"), ("DB", "margin"),
])
def test_transaction_synonyms(header, target):
    # a complete file around the header under test, so each synonym competes with the others
    others = {"customer_id": "Kundennummer", "order_date": "Belegdatum", "revenue": "Umsatz"}
    headers = [h for t, h in others.items() if t != target] + [header]
    assert map_columns(headers, "transactions").as_dict()[target] == header


@pytest.mark.parametrize("table,header,target", [
    ("customers", "Kundengruppe", "segment"), ("customers", "Gebiet", "region"),
    ("customers", "Anmeldedatum", "signup_date"), ("customers", "Kundenkarte", "loyalty_member"),
    ("customers", "Mitglied seit", "member_since"), ("customers", "Status", "tier"),
    ("customers", "Newsletter", "newsletter_opt_in"), ("customers", "Gewonnen über", "acquired_via"),
    ("customers", "Empfohlen von", "referred_by"),
    ("surveys", "Antwortdatum", "response_date"), ("surveys", "Empfehlungsbereitschaft", "nps"),
    ("surveys", "Weiterempfehlung", "nps"), ("surveys", "CSAT", "csat"), ("surveys", "Zufriedenheit", "csat"),
    ("surveys", "Touchpoint", "touchpoint"), ("surveys", "Freitext", "comment"),
    ("contacts", "Kontaktdatum", "contact_date"), ("contacts", "Art", "type"), ("contacts", "Anlass", "reason"),
    ("contacts", "Gelöst am", "resolved_date"), ("contacts", "Erledigt am", "resolved_date"),
    ("contacts", "Kulanz", "compensation_cost"), ("contacts", "Entschädigung", "compensation_cost"),
    ("measure_participants", "Gruppe", "group"), ("targets", "Kennzahl", "kpi"), ("targets", "Von", "period_start"),
    ("targets", "Bis", "period_end"), ("targets", "Zielwert", "target"), ("points", "Punkte", "points"),
])
def test_other_table_synonyms(table, header, target):
    assert map_columns([header], table).as_dict().get(target) == header


def test_fuzzy_and_word_matches_have_lower_confidence():
    m = map_columns(["Kundenummer", "Datum der Bestellung", "Umsatz 2026"], "transactions")
    assert m.as_dict() == {"customer_id": "Kundenummer", "order_date": "Datum der Bestellung",
                           "revenue": "Umsatz 2026"}
    assert m.matches["customer_id"].method == "fuzzy" and 0.7 < m.matches["customer_id"].confidence < 1
    assert m.matches["order_date"].method == "word" and m.matches["order_date"].confidence == 0.7


def test_exact_synonym_beats_fuzzy_and_each_header_is_used_once():
    m = map_columns(["Umsatz", "Nettoumsatz", "Kunde", "Datum"], "transactions")
    assert m.as_dict()["revenue"] == "Umsatz" and m.kept_out == ["Nettoumsatz"]


def test_overrides_win_and_can_unmap():
    headers = ["Kundennummer", "Datum", "Netto", "Brutto", "Filiale"]
    m = map_columns(headers, "transactions", {"revenue": "Brutto", "store": None})
    assert m.as_dict()["revenue"] == "Brutto" and m.matches["revenue"].method == "user"
    assert "store" not in m.as_dict() and "Filiale" in m.kept_out
    m = map_columns(headers, "transactions", {"revenue": "netto"})  # header found case-insensitively
    assert m.as_dict()["revenue"] == "Netto"


def test_bad_overrides_raise_one_sentence():
    with pytest.raises(ImportFileError, match="'umsatz' is not a column of transactions"):
        map_columns(["A"], "transactions", {"umsatz": "A"})
    with pytest.raises(ImportFileError, match="has no column 'Betrag'.*'A', 'B'"):
        map_columns(["A", "B"], "transactions", {"revenue": "Betrag"})


def test_missing_required_column_names_column_and_headers():
    m = map_columns(["Kundennummer", "Datum", "Filiale"], "transactions")
    assert m.missing_required == ["revenue"]
    problem = m.problem()
    assert "'revenue'" in problem and "'Kundennummer', 'Datum', 'Filiale'" in problem
    assert problem.count(".") == 1 and problem.endswith(".")
    surveys = map_columns(["Datum", "Kommentar"], "surveys")
    assert surveys.missing_one_of == ("nps", "csat") and "'nps' or 'csat'" in surveys.problem()


def test_table_suggestion():
    assert suggest_tables(GERMAN_ERP)[0][0] == "transactions"
    assert suggest_tables(["Kundennummer", "Segment", "Region", "Mitglied seit"])[0][0] == "customers"
    assert suggest_tables(["Datum", "Kundennummer", "NPS", "Kommentar"])[0][0] == "surveys"
    assert suggest_tables(["Kontaktdatum", "Kundennummer", "Grund", "Kulanz"])[0][0] == "contacts"
    assert suggest_tables(["Maßnahmen-ID", "Kundennummer", "Gruppe"])[0][0] == "measure_participants"
    assert suggest_tables(["KPI", "Von", "Bis", "Zielwert"])[0][0] == "targets"
    assert suggest_tables(["Kundennummer", "Datum", "Punkte", "Buchungsart"])[0][0] == "points"
    scores = dict(suggest_tables(GERMAN_ERP))
    assert scores["transactions"] > 0.9 and scores["surveys"] == 0


def test_synonyms_table_in_docs_matches_code():
    from loyalty.importing.mapping import synonyms_markdown
    from tests.conftest import ROOT

    doc = (ROOT / "docs/import.md").read_text(encoding="utf-8")
    assert synonyms_markdown() in doc, "regenerate the synonyms part of docs/import.md with synonyms_markdown()"
