"""Recognise the columns of an analyst's export: header names -> contract columns, and which table it is.

Headers are normalised (case, umlauts, punctuation, units in brackets like 'Umsatz (€)' or words like
'EUR') and compared with the contract names and German/English synonyms per table. A header that is
no exact synonym can still match by similarity (difflib) or by containing a synonym as a word; such
matches carry a lower confidence so a UI can ask the user to confirm them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from loyalty.contract import TABLES, get_table
from loyalty.importing.errors import ImportFileError

_CUSTOMER_ID = (
    "Kundennummer", "Kunden-Nr.", "Kundennr", "KdNr", "Kd-Nr.", "Kunde", "Kunden-ID", "Kunden Nummer",
    "Kundenkonto", "Debitor", "Debitorennummer", "Debitoren-Nr.", "customer", "customer id", "customer_number",
    "customer number", "customer no", "cust id", "client id",
)
_MEASURE_ID = (
    "Maßnahmen-ID", "Maßnahmennummer", "Maßnahmen-Nr.", "Maßnahme-Nr.", "Aktions-ID", "Aktionsnummer",
    "Kampagnen-ID", "Kampagnennummer", "measure id", "campaign id", "action id",
)

# table -> contract column -> synonyms (German and English, in order of preference)
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "transactions": {
        "customer_id": _CUSTOMER_ID,
        "order_date": (
            "Datum", "Belegdatum", "Bestelldatum", "Kaufdatum", "Rechnungsdatum", "Buchungsdatum", "Verkaufsdatum",
            "Auftragsdatum", "Transaktionsdatum", "order date", "purchase date", "date", "transaction date",
            "invoice date", "sales date",
        ),
        "revenue": (
            "Umsatz", "Betrag", "Nettoumsatz", "Umsatz netto", "Bruttoumsatz", "Umsatz brutto", "Nettobetrag",
            "Bruttobetrag", "Warenwert", "Rechnungsbetrag", "Wert", "amount", "sales", "net sales", "net revenue",
            "gross sales", "turnover", "value", "total",
        ),
        "order_id": (
            "Beleg-Nr.", "Belegnummer", "Bestellnummer", "Bestell-Nr.", "Auftragsnummer", "Auftrags-Nr.",
            "Rechnungsnummer", "Rechnungs-Nr.", "Bonnummer", "Bon-Nr.", "Kassenbon", "Beleg", "order id",
            "order number", "order no", "receipt id", "receipt number", "invoice number", "transaction id",
        ),
        "product_id": (
            "Artikelnummer", "Artikel-Nr.", "ArtNr", "Art.-Nr.", "Artikel", "Materialnummer", "Produktnummer",
            "Produkt-ID", "EAN", "SKU", "product id", "product number", "item id", "item number", "article number",
        ),
        "category": (
            "Warengruppe", "Kategorie", "Produktkategorie", "Produktgruppe", "Artikelgruppe", "Sortiment", "WG",
            "category", "product category", "product group",
        ),
        "quantity": ("Menge", "Anzahl", "Stückzahl", "Stück", "Stk", "qty", "quantity", "units", "pieces"),
        "channel": ("Kanal", "Vertriebsweg", "Vertriebskanal", "Verkaufskanal", "Absatzkanal", "channel", "sales channel"),
        "store": (
            "Filiale", "Markt", "Geschäft", "Filialnummer", "Filial-Nr.", "Standort", "Laden", "Verkaufsstelle",
            "Niederlassung", "store", "shop", "branch", "outlet", "store id",
        ),
        "margin": (
            "Deckungsbeitrag", "Marge", "DB", "DB I", "DB1", "Rohertrag", "Rohgewinn", "Spanne", "margin",
            "contribution margin", "gross margin", "gross profit",
        ),
    },
    "customers": {
        "customer_id": _CUSTOMER_ID,
        "segment": ("Segment", "Kundengruppe", "Kundensegment", "Kundentyp", "segment", "customer segment",
                    "customer group"),
        "region": ("Region", "Gebiet", "Verkaufsgebiet", "Bundesland", "region", "area", "territory"),
        "signup_date": (
            "Anmeldedatum", "Registrierungsdatum", "Registriert am", "Angelegt am", "Anlagedatum", "Kunde seit",
            "Neukunde seit", "signup date", "sign up date", "registration date", "registered", "customer since",
        ),
        "loyalty_member": (
            "Mitglied", "Kundenkarte", "Kartenkunde", "Bonusmitglied", "Clubmitglied", "Programmmitglied",
            "loyalty member", "member", "card holder",
        ),
        "member_since": ("Mitglied seit", "Karte seit", "Beitrittsdatum", "Beitritt", "member since", "joined",
                         "join date"),
        "tier": ("Stufe", "Status", "Kartenstufe", "Mitgliedsstufe", "Level", "tier", "loyalty tier", "status"),
        "newsletter_opt_in": (
            "Newsletter", "Newsletter-Einwilligung", "Einwilligung Newsletter", "Newsletter Opt-in", "Opt-in",
            "Werbeeinwilligung", "newsletter opt in", "newsletter consent",
        ),
        "acquired_via": (
            "Akquisekanal", "Gewonnen über", "Akquisitionskanal", "Herkunft", "Kundenquelle", "Quelle",
            "acquired via", "acquisition channel", "source", "lead source",
        ),
        "referred_by": ("Empfohlen von", "Geworben von", "Werber", "Empfehlungsgeber", "referred by", "referrer"),
    },
    "surveys": {
        "response_date": ("Antwortdatum", "Datum", "Befragungsdatum", "Umfragedatum", "response date", "date",
                          "survey date"),
        "customer_id": _CUSTOMER_ID,
        "nps": (
            "NPS", "Weiterempfehlung", "Empfehlungsbereitschaft", "Weiterempfehlungsbereitschaft", "Empfehlung",
            "NPS-Wert", "NPS Score", "net promoter score", "likelihood to recommend", "recommendation",
        ),
        "csat": ("Zufriedenheit", "CSAT", "Gesamtzufriedenheit", "Kundenzufriedenheit", "satisfaction",
                 "customer satisfaction", "csat score"),
        "touchpoint": ("Kontaktpunkt", "Touchpoint", "Berührungspunkt", "Kanal", "touch point", "channel"),
        "comment": ("Kommentar", "Freitext", "Anmerkung", "Bemerkung", "Feedback", "Begründung", "comment",
                    "comments", "remark", "free text"),
    },
    "contacts": {
        "contact_date": ("Kontaktdatum", "Datum", "Eingangsdatum", "Anfragedatum", "Beschwerdedatum",
                         "contact date", "date"),
        "customer_id": _CUSTOMER_ID,
        "channel": ("Kanal", "Kontaktkanal", "Eingangskanal", "Medium", "channel", "contact channel"),
        "type": ("Art", "Typ", "Kontaktart", "Kontakttyp", "Vorgangsart", "type", "contact type", "kind"),
        "reason": ("Grund", "Anlass", "Kontaktgrund", "Beschwerdegrund", "Thema", "Betreff", "reason", "topic",
                   "subject"),
        "resolved_date": ("Erledigt am", "Gelöst am", "Erledigungsdatum", "Abschlussdatum", "Geschlossen am",
                          "resolved", "resolved date", "resolved on", "closed on", "closed date"),
        "compensation_cost": ("Kulanz", "Entschädigung", "Kulanzbetrag", "Kulanzkosten", "Entschädigungsbetrag",
                              "Erstattung", "compensation", "compensation cost", "goodwill", "refund"),
    },
    "measures": {
        "measure_id": (*_MEASURE_ID, "ID"),
        "name": ("Name", "Bezeichnung", "Maßnahme", "Aktion", "Kampagne", "Titel", "measure", "campaign", "title",
                 "measure name"),
        "instrument": ("Instrument", "Instrumententyp", "Maßnahmenart", "Art", "Typ", "instrument", "type", "kind"),
        "start_date": ("Start", "Beginn", "Startdatum", "Von", "Gültig ab", "start date", "from", "begin"),
        "end_date": ("Ende", "Enddatum", "Bis", "Gültig bis", "end", "end date", "to", "until"),
        "target_segment": ("Zielsegment", "Zielgruppe", "Segment", "target segment", "target group"),
        "fixed_cost": ("Fixkosten", "Fixe Kosten", "Kosten fix", "Budget", "fixed cost", "fixed costs"),
        "cost_per_participant": ("Kosten pro Teilnehmer", "Kosten je Teilnehmer", "Variable Kosten",
                                 "cost per participant", "variable cost"),
    },
    "measure_participants": {
        "measure_id": (*_MEASURE_ID, "Maßnahme", "ID", "measure"),
        "customer_id": _CUSTOMER_ID,
        "group": ("Gruppe", "Test/Kontrolle", "Testgruppe", "Versuchsgruppe", "Zuordnung", "group", "test group",
                  "assignment"),
        "assigned_date": ("Zuordnungsdatum", "Zugeordnet am", "Datum", "assigned date", "assignment date", "date"),
    },
    "targets": {
        "kpi": ("KPI", "Kennzahl", "Zielgröße", "Metrik", "metric"),
        "period_start": ("Von", "Beginn", "Periodenbeginn", "Zeitraum von", "Startdatum", "Start", "from",
                         "period start", "start date"),
        "period_end": ("Bis", "Ende", "Periodenende", "Zeitraum bis", "Enddatum", "Ende", "to", "period end",
                       "end date"),
        "segment": ("Segment", "Kundengruppe", "segment"),
        "target": ("Ziel", "Zielwert", "Soll", "Sollwert", "Planwert", "Plan", "target value", "goal"),
    },
    "points": {
        "customer_id": _CUSTOMER_ID,
        "date": ("Datum", "Buchungsdatum", "Punktedatum", "booking date", "posting date"),
        "points": ("Punkte", "Punktzahl", "Bonuspunkte", "Anzahl Punkte", "bonus points"),
        "type": ("Art", "Typ", "Buchungsart", "Vorgang", "transaction type", "kind"),
        "value_per_point": ("Wert pro Punkt", "Wert je Punkt", "Punktwert", "value per point", "point value"),
    },
}

UNIT_WORDS = {"eur", "euro", "usd", "chf", "gbp", "pct", "prozent", "percent", "stk", "stueck", "pcs"}
FUZZY_MIN = 0.82  # similarity (difflib ratio) a fuzzy match needs
WORD_CONFIDENCE = 0.7  # a header that contains a synonym as one of its words, e.g. 'Datum der Bestellung'


def normalize_header(text: object) -> str:
    """'Umsatz (€)' -> 'umsatz', 'Kunden-Nr.' -> 'kunden nr', 'Gelöst am' -> 'geloest am'."""
    s = str(text or "").strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    s = re.sub(r"[(\[{][^)\]}]*[)\]}]", " ", s)  # units and remarks in brackets
    s = re.sub(r"([a-z])([0-9])", r"\1 \2", s) if re.fullmatch(r"[a-z]+[0-9]", s) else s  # 'db1' -> 'db 1'
    words = [w for w in re.split(r"[^a-z0-9]+", s) if w and w not in UNIT_WORDS]
    if len(words) > 1 and words[-1] in ("in", "je", "pro", "per"):  # 'Umsatz in EUR' -> 'umsatz'
        words = words[:-1]
    return " ".join(words)


def _key(text: object) -> str:
    return normalize_header(text).replace(" ", "")


_SYN_KEYS: dict[str, dict[str, list[str]]] = {
    table: {col: [c for c in dict.fromkeys([_key(col)] + [_key(s) for s in syns]) if c]
            for col, syns in cols.items()}
    for table, cols in SYNONYMS.items()
}


@dataclass(frozen=True)
class ColumnMatch:
    target: str  # contract column
    source: str  # header in the file
    confidence: float  # 1.0 exact name or synonym; lower for similar headers
    method: str  # name, synonym, fuzzy, word, user

    def as_dict(self) -> dict:
        return {"target": self.target, "source": self.source, "confidence": self.confidence, "method": self.method}


@dataclass
class ColumnMapping:
    """Which header fills which contract column of `table`."""

    table: str
    headers: list[str]
    matches: dict[str, ColumnMatch] = field(default_factory=dict)  # target -> match, in contract order
    kept_out: list[str] = field(default_factory=list)  # headers not used (a notice, not an error)
    missing_required: list[str] = field(default_factory=list)
    missing_one_of: tuple[str, ...] = ()  # e.g. ('nps', 'csat') when neither is mapped

    def as_dict(self) -> dict[str, str]:
        return {t: m.source for t, m in self.matches.items()}

    @property
    def complete(self) -> bool:
        return not self.missing_required and not self.missing_one_of

    def problem(self) -> str | None:
        """One sentence naming the missing column(s) and the headers that were found, or None."""
        found = ", ".join(repr(h) for h in self.headers) or "none"
        if self.missing_required:
            cols = " and ".join(repr(c) for c in self.missing_required)
            plural = "columns" if len(self.missing_required) > 1 else "column"
            return (f"The file has no {plural} for {cols}, which {self.table} requires; the headers found are {found} "
                    f"- rename the column in the file or map it to one of these headers.")
        if self.missing_one_of:
            cols = " or ".join(repr(c) for c in self.missing_one_of)
            return (f"The file has no column for {cols}, and {self.table} needs at least one of them; the headers "
                    f"found are {found} - rename the column in the file or map it to one of these headers.")
        return None


def _candidates(table: str, headers: list[str]) -> list[tuple[float, int, int, str, str, str]]:
    """(confidence, synonym rank, header index, target, source, method) for every plausible pair."""
    out = []
    for idx, header in enumerate(headers):
        key = _key(header)
        words = normalize_header(header).split()
        if not key:
            continue
        for target, keys in _SYN_KEYS[table].items():
            best = None
            for rank, syn in enumerate(keys):
                if key == syn:
                    best = (1.0, rank, "name" if rank == 0 else "synonym")
                    break
            if best is None:
                ratio, rank = max((difflib.SequenceMatcher(None, key, syn).ratio(), r) for r, syn in enumerate(keys))
                if ratio >= FUZZY_MIN and len(key) >= 4:
                    best = (round(ratio * 0.9, 2), rank, "fuzzy")
                elif len(words) > 1:
                    hits = [r for r, syn in enumerate(keys) if len(syn) >= 4 and syn in words]
                    if hits:
                        best = (WORD_CONFIDENCE, hits[0], "word")
            if best:
                out.append((best[0], best[1], idx, target, header, best[2]))
    return out


def map_columns(headers: list[str], table: str, overrides: dict[str, str | None] | None = None) -> ColumnMapping:
    """Propose a mapping of `headers` onto `table`. `overrides` ({target: header}, header None = leave the
    column unmapped) win over the proposal; an unknown target or header raises ImportFileError."""
    spec = get_table(table)
    overrides = dict(overrides or {})
    chosen: dict[str, ColumnMatch] = {}
    used: set[str] = set()
    for target, source in overrides.items():
        if target not in spec.column_names:
            raise ImportFileError(
                f"{target!r} is not a column of {table}; its columns are {', '.join(spec.column_names)}.",
                code="bad_option")
        if source is None or source == "":
            continue
        if source not in headers:
            by_norm = {normalize_header(h): h for h in headers}
            if normalize_header(source) not in by_norm:
                raise ImportFileError(
                    f"The file has no column {source!r} to map to {target!r}; its headers are "
                    f"{', '.join(repr(h) for h in headers)}.", code="bad_option")
            source = by_norm[normalize_header(source)]
        chosen[target] = ColumnMatch(target, source, 1.0, "user")
        used.add(source)
    for conf, _rank, _idx, target, source, method in sorted(_candidates(table, headers), key=lambda c: (-c[0], c[1], c[2])):
        if target in chosen or target in overrides or source in used:
            continue
        chosen[target] = ColumnMatch(target, source, conf, method)
        used.add(source)
    matches = {c.name: chosen[c.name] for c in spec.columns if c.name in chosen}
    missing = [c for c in spec.required if c not in matches]
    one_of = tuple(spec.one_of) if spec.one_of and not any(c in matches for c in spec.one_of) else ()
    return ColumnMapping(table, list(headers), matches, [h for h in headers if h not in used], missing, one_of)


def score_table(headers: list[str], table: str) -> float:
    """0..1: share of the required columns found times the share of the headers the table explains."""
    mapping = map_columns(headers, table)
    spec = TABLES[table]
    needed = list(spec.required) + ([spec.one_of[0]] if spec.one_of else [])
    found = sum(1 for c in spec.required if c in mapping.matches) + (0 if mapping.missing_one_of or not spec.one_of else 1)
    required_share = found / len(needed) if needed else 1.0
    explained = sum(m.confidence for m in mapping.matches.values()) / max(len([h for h in headers if _key(h)]), 1)
    return round(required_share * min(explained, 1.0), 3)


def suggest_tables(headers: list[str]) -> list[tuple[str, float]]:
    """Every table with its score, best first (ties keep the contract's order)."""
    scores = [(name, score_table(headers, name)) for name in TABLES]
    return sorted(scores, key=lambda s: -s[1])


def synonyms_markdown() -> str:
    """The header synonyms as Markdown tables, one per table (docs/import.md includes this text)."""
    parts = []
    for table, columns in SYNONYMS.items():
        parts.append(f"#### {table}\n\n| column | headers recognised (besides the column name) |\n|---|---|")
        for column, words in columns.items():
            cells = ", ".join(dict.fromkeys(w for w in words if _key(w) != _key(column)))
            parts.append(f"| `{column}` | {cells} |")
        parts.append("")
    return "\n".join(parts).strip() + "\n"
