"""Number, date and yes/no formats: detection from sample values, parsing in Python and as DuckDB SQL.

Detection looks at the text values of one column (a sample, e.g. the first 10,000 rows) and says what it
found, or that the data fits several formats (`ambiguous`, with `options`): an ambiguous column is never
guessed, the caller chooses. Parsing is strict: a value that does not fit the chosen format is an error
(the row is rejected), never a silent guess. The SQL builders and the Python functions implement the same
rules; the import runs the SQL (in DuckDB, streamed), the Python versions are for detection and tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

# ------------------------------------------------------------------ common helpers
WHITESPACE = " \t\r\n\u00a0\u202f\u2007"  # trimmed from every value
MIN_YEAR, MAX_YEAR = 1900, 2100  # a parsed date outside this range is rejected (catches 2-digit-year slips)


def sql_str(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def sql_trim(expr: str) -> str:
    """Trimmed text or NULL when empty. The check of the first and last character is cheap; the trim of
    spaces, tabs and no-break spaces only runs for values that need it."""
    codes = ", ".join(str(ord(ch)) for ch in WHITESPACE)
    return (f"nullif(case when ord({expr}) in ({codes}) or ord(right({expr}, 1)) in ({codes}) "
            f"then trim({expr}, {sql_str(WHITESPACE)}) else {expr} end, '')")


def norm_value(text: str) -> str:
    """Normalise a categorical value: lower case, no accents, ß -> ss, runs of other characters -> '_'.

    Matches `sql_norm_value` exactly, so value synonyms can be written in Python and applied in SQL."""
    s = str(text).lower().replace("ß", "ss")
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def sql_norm_value(expr: str) -> str:
    return f"trim(regexp_replace(strip_accents(replace(lower({expr}), 'ß', 'ss')), '[^a-z0-9]+', '_', 'g'), '_')"


# ------------------------------------------------------------------ numbers
# currency symbols/codes, percent, spaces (also no-break and thin spaces) and apostrophes (1'234.50) are
# dropped before parsing; "12,50-" (trailing minus) and "(12.50)" (accounting) are negative.
_NUMBER_NOISE = "[\\s\u00a0\u202f\u2007'’€$£%]|euro|eur|usd|chf|gbp"
_NUMBER_NOISE_PY = re.compile(_NUMBER_NOISE, re.IGNORECASE)
NUMBER_PATTERNS = {
    ",": r"[+-]?(?:(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+)",
    ".": r"[+-]?(?:(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?",
}
_NUMBER_RE_PY = {k: re.compile(v) for k, v in NUMBER_PATTERNS.items()}
_NUMERIC_LOOK = re.compile(r"[+-]?[\d.,]*\d[\d.,]*(?:[eE][+-]?\d+)?")


def clean_number(text: str) -> str:
    """Strip units, spaces and currency; move a trailing minus or accounting parentheses to a leading '-'."""
    s = _NUMBER_NOISE_PY.sub("", str(text)).replace("\u2212", "-")
    s = re.sub(r"^\((.+)\)$", r"-\1", s)
    return re.sub(r"^([^+-].*)-$", r"-\1", s)


def parse_number(text: str | None, decimal: str) -> float | None:
    """Parse '1.234,56' (decimal=',') or '1,234.56' (decimal='.'); None if the text is not a number.

    A value with thousands separators must group them correctly (1.234.567,8); one without is read as is."""
    if text is None or not str(text).strip(WHITESPACE):
        return None
    s = clean_number(str(text).strip(WHITESPACE))
    thousands = "." if decimal == "," else ","
    if thousands in s:
        if not _NUMBER_RE_PY[decimal].fullmatch(s):
            return None
        s = s.replace(thousands, "")
    s = s.replace(",", ".") if decimal == "," else s
    try:
        value = float(s)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


# The SQL is split into stages, each applied to the result of the one before ({x}), so that a value is
# computed once and the slow regular expressions only run for the few values that need them.
_NUMBER_CHARS = (" ", "\u00a0", "€", "%")  # the common ones, removed by cheap replace(); rarer noise by a regex


def sql_number_stages(decimal: str) -> list[str]:
    """Stages turning trimmed text into DOUBLE (NULL = not a number; inf/nan are left to the caller)."""
    chain = "{x}"
    for ch in _NUMBER_CHARS:
        chain = f"replace({chain}, {sql_str(ch)}, '')"
    odd = "[^0-9.,-]"
    words = "(?i)euro|eur|usd|chf|gbp|[$£'’\u202f\u2007]"
    fix = (f"regexp_replace(regexp_replace(replace(regexp_replace({{x}}, {sql_str(words)}, '', 'g'), '\u2212', '-'), "
           "'^\\((.+)\\)$', '-\\1'), '^([^+-].*)-$', '-\\1')")
    thousands = "." if decimal == "," else ","
    plain = "replace({x}, ',', '.')" if decimal == "," else "{x}"
    grouped = "replace(replace({x}, '.', ''), ',', '.')" if decimal == "," else "replace({x}, ',', '')"
    return [
        f"(case when regexp_matches({{x}}, {sql_str(odd)}) then {chain} else {{x}} end)",
        f"(case when regexp_matches({{x}}, {sql_str(odd)}) or ends_with({{x}}, '-') then {fix} else {{x}} end)",
        f"(case when contains({{x}}, {sql_str(thousands)}) then (case when regexp_full_match({{x}}, "
        f"{sql_str(NUMBER_PATTERNS[decimal])}) then try_cast({grouped} as double) end) "
        f"else try_cast({plain} as double) end)",
    ]


@dataclass(frozen=True)
class DecimalGuess:
    decimal: str | None  # ',' or '.', None = the values carry no decimal or thousands separator
    ambiguous: bool = False
    comma_votes: int = 0  # values that only make sense with a decimal comma
    point_votes: int = 0
    undecided: int = 0  # values like 1.234 or 1,234 (thousands separator or three decimals?)
    thousands: bool = False  # thousands separators were seen
    numeric: int = 0  # values that look like numbers


def detect_decimal(values: Iterable[str | None]) -> DecimalGuess:
    """Which decimal separator the values use, decided by the values that can only be read one way."""
    comma = point = undecided = numeric = 0
    thousands = False
    for raw in values:
        if raw is None:
            continue
        s = clean_number(str(raw).strip(WHITESPACE)).lstrip("+-")
        if not s or not _NUMERIC_LOOK.fullmatch(s):
            continue
        numeric += 1
        s = re.sub(r"[eE][+-]?\d+$", "", s)
        has_c, has_p = "," in s, "." in s
        if has_c and has_p:
            thousands = True
            if s.rfind(",") > s.rfind("."):
                comma += 1
            else:
                point += 1
            continue
        if not (has_c or has_p):
            continue
        sep = "," if has_c else "."
        before, _, after = s.partition(sep)
        if s.count(sep) > 1:  # 1.234.567: thousands separator, so the other one is the decimal separator
            thousands = True
            vote_comma = sep == "."
        elif len(after) == 3 and 1 <= len(before) <= 3 and not before.startswith("0"):
            undecided += 1  # 1.234 or 1,234: a thousands separator or three decimals
            continue
        else:
            vote_comma = sep == ","
        if vote_comma:
            comma += 1
        else:
            point += 1
    if comma and point:
        if comma == point:
            return DecimalGuess(None, True, comma, point, undecided, thousands, numeric)
        return DecimalGuess("," if comma > point else ".", False, comma, point, undecided, thousands, numeric)
    if comma or point:
        return DecimalGuess("," if comma else ".", False, comma, point, undecided, thousands, numeric)
    if undecided:
        return DecimalGuess(None, True, 0, 0, undecided, False, numeric)
    return DecimalGuess(None, False, 0, 0, 0, False, numeric)


# ------------------------------------------------------------------ dates
@dataclass(frozen=True)
class DateFormat:
    strftime: str  # DuckDB/Python strptime format of the date part
    shape: str  # regular expression the date part must match completely
    label: str  # how people write it


DATE_FORMATS: tuple[DateFormat, ...] = (
    DateFormat("%d.%m.%Y", r"\d{1,2}\.\d{1,2}\.\d{4}", "dd.mm.yyyy"),
    DateFormat("%d.%m.%y", r"\d{1,2}\.\d{1,2}\.\d{2}", "dd.mm.yy"),
    DateFormat("%Y-%m-%d", r"\d{4}-\d{1,2}-\d{1,2}", "yyyy-mm-dd"),
    DateFormat("%Y%m%d", r"\d{8}", "yyyymmdd"),
    DateFormat("%d/%m/%Y", r"\d{1,2}/\d{1,2}/\d{4}", "dd/mm/yyyy"),
    DateFormat("%m/%d/%Y", r"\d{1,2}/\d{1,2}/\d{4}", "mm/dd/yyyy"),
    DateFormat("%d/%m/%y", r"\d{1,2}/\d{1,2}/\d{2}", "dd/mm/yy"),
    DateFormat("%m/%d/%y", r"\d{1,2}/\d{1,2}/\d{2}", "mm/dd/yy"),
    DateFormat("%Y/%m/%d", r"\d{4}/\d{1,2}/\d{1,2}", "yyyy/mm/dd"),
    DateFormat("%d-%m-%Y", r"\d{1,2}-\d{1,2}-\d{4}", "dd-mm-yyyy"),
    DateFormat("%m-%d-%Y", r"\d{1,2}-\d{1,2}-\d{4}", "mm-dd-yyyy"),
)
_BY_STRFTIME = {f.strftime: f for f in DATE_FORMATS}
_BY_LABEL = {f.label: f for f in DATE_FORMATS}
# a date part, optionally followed by a time ("31.01.2026 14:35", "2026-01-31T14:35:00+01:00"); the time
# is dropped: the date is taken as written
DATE_TIME_PATTERN = r"([^ T]+)(?:(?:T| +)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}|Uhr|h))?)?"
_DATE_TIME_RE = re.compile(DATE_TIME_PATTERN)
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%p", "%z", "%f", "%T", "%X", "%c")


def normalize_date_format(text: str) -> str:
    """'%d/%m/%Y' stays; 'dd/mm/yyyy', 'DD.MM.YYYY', 'yyyy-mm-dd' become strptime formats."""
    t = str(text).strip()
    if t.lower() in _BY_LABEL:
        return _BY_LABEL[t.lower()].strftime
    if "%" not in t:
        known = ", ".join(f.label for f in DATE_FORMATS)
        raise ValueError(f"unknown date format {text!r}; use a strptime format like %d/%m/%Y or one of: {known}")
    return t


def date_format_label(fmt: str | None) -> str:
    if fmt is None:
        return "unknown"
    known = _BY_STRFTIME.get(fmt)
    return f"{known.label} ({fmt})" if known else fmt


def _has_time_directive(fmt: str) -> bool:
    return any(d in fmt for d in _TIME_DIRECTIVES)


def split_date_time(text: str) -> tuple[str, bool] | None:
    """(date part, had a time part) or None when the text is not 'date [time]'."""
    m = _DATE_TIME_RE.fullmatch(text.strip(WHITESPACE))
    if not m:
        return None
    return m.group(1), m.end(1) < len(text.strip(WHITESPACE))


def parse_date(text: str | None, fmt: str) -> date | None:
    """The date in `text` read with `fmt` (a time part is allowed and ignored), or None if invalid."""
    if text is None or not str(text).strip(WHITESPACE):
        return None
    value = str(text).strip(WHITESPACE)
    if _has_time_directive(fmt):
        part = value
    else:
        split = split_date_time(value)
        if split is None:
            return None
        part = split[0]
        known = _BY_STRFTIME.get(fmt)
        if known and not re.fullmatch(known.shape, part):
            return None
    try:
        parsed = datetime.strptime(part, fmt).date()
    except ValueError:
        return None
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None


def sql_date_stages(fmt: str) -> list[str]:
    """Stages turning trimmed text into DATE (NULL when invalid, e.g. 31.02.); the caller checks the year."""
    parse = f"cast(try_strptime({{x}}, {sql_str(fmt)}) as date)"
    if _has_time_directive(fmt):
        return [parse]
    part = (f"(case when length({{x}}) <= 10 then {{x}} "
            f"else nullif(regexp_extract({{x}}, {sql_str('^' + DATE_TIME_PATTERN + '$')}, 1), '') end)")
    if fmt == "%Y%m%d":  # strptime alone would also read 7-digit texts
        parse = f"(case when length({{x}}) = 8 then {parse} end)"
    return [part, parse]


@dataclass(frozen=True)
class DateGuess:
    format: str | None
    ambiguous: bool = False
    options: tuple[str, ...] = ()
    has_time: bool = False
    matched: int = 0  # values that parse with `format`
    total: int = 0  # non-empty values looked at
    example: str | None = None  # a value that fits several formats (for the question to the user)


def detect_date_format(values: Iterable[str | None]) -> DateGuess:
    """The date format that reads the most values. Formats that read equally many values but give
    different dates (01/02/2026: 1 February or 2 January?) make the result ambiguous."""
    parts: dict[str, int] = {}
    total = 0
    has_time = False
    for raw in values:
        if raw is None or not str(raw).strip(WHITESPACE):
            continue
        total += 1
        split = split_date_time(str(raw))
        if split is None:
            continue
        parts[split[0]] = parts.get(split[0], 0) + 1
        has_time = has_time or split[1]
    if not total:
        return DateGuess(None, total=0)
    counts: dict[str, int] = {}
    parsed: dict[str, dict[str, date]] = {}
    for fmt in DATE_FORMATS:
        shape = re.compile(fmt.shape)
        got: dict[str, date] = {}
        for part in parts:
            if shape.fullmatch(part):
                d = parse_date(part, fmt.strftime)
                if d is not None:
                    got[part] = d
        parsed[fmt.strftime] = got
        counts[fmt.strftime] = sum(parts[p] for p in got)
    best = max(counts.values())
    if best == 0:
        return DateGuess(None, total=total, has_time=has_time)
    tied = [f for f, n in counts.items() if n == best]
    first = tied[0]
    differing = [f for f in tied[1:] if any(p in parsed[f] and parsed[f][p] != d for p, d in parsed[first].items())]
    if differing:
        options = (first, *differing)
        example = next(p for p, d in parsed[first].items() if any(parsed[f].get(p, d) != d for f in differing))
        return DateGuess(None, True, options, has_time, best, total, example)
    return DateGuess(first, False, (), has_time, best, total)


# ------------------------------------------------------------------ yes/no
TRUE_WORDS = ("ja", "j", "yes", "y", "true", "t", "wahr", "w", "1", "x")
FALSE_WORDS = ("nein", "n", "no", "false", "f", "falsch", "0")


def parse_bool(text: str | None, x_empty: bool = False) -> bool | None:
    if text is None or not str(text).strip(WHITESPACE):
        return False if x_empty else None
    s = str(text).strip(WHITESPACE).lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    return None


def detect_bool_style(values: Iterable[str | None]) -> tuple[str, bool]:
    """(label of the words seen, x_empty): a column that only holds 'x' marks means empty = no."""
    seen = sorted({str(v).strip(WHITESPACE).lower() for v in values if v is not None and str(v).strip(WHITESPACE)})
    if seen and all(s == "x" for s in seen):
        return "x/empty", True
    known = [s for s in seen if s in TRUE_WORDS or s in FALSE_WORDS]
    return ("/".join(known[:4]) or "yes/no"), False


def sql_bool_parse(trimmed_expr: str, x_empty: bool) -> str:
    low = f"lower({trimmed_expr})"
    true_list = ", ".join(sql_str(w) for w in TRUE_WORDS)
    false_list = ", ".join(sql_str(w) for w in FALSE_WORDS)
    empty = f"when {trimmed_expr} is null then false " if x_empty else ""
    return f"(case {empty}when {low} in ({true_list}) then true when {low} in ({false_list}) then false end)"


# ------------------------------------------------------------------ allowed values
# Synonyms for columns with a fixed list of values (keys are normalised with norm_value).
VALUE_SYNONYMS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("measure_participants", "group"): {
        "treatment": ("test", "testgruppe", "treatment", "treated", "treatment group", "behandlung", "massnahme",
                      "teilnehmer", "tg"),
        "control": ("kontrolle", "kontrollgruppe", "control", "control group", "holdout", "hold out", "kg"),
    },
    ("points", "type"): {
        "earn": ("earn", "earned", "gutschrift", "sammeln", "gesammelt", "vergabe", "erhalten", "accrual"),
        "redeem": ("redeem", "redeemed", "redemption", "einlösung", "einloesung", "eingelöst", "eingeloest",
                   "einlösen", "einloesen"),
        "expire": ("expire", "expired", "expiry", "verfall", "verfallen", "abgelaufen"),
    },
    ("measures", "instrument"): {
        "extra_service": ("zusatzservice", "zusatzleistung", "zusatzleistungen", "extra service"),
        "bonus_program": ("bonusprogramm", "bonus programm", "bonus", "bonus program", "bonus programme"),
        "discount": ("rabatt", "preisnachlass", "discount", "rabattaktion"),
        "customer_card": ("kundenkarte", "karte", "customer card", "loyalty card"),
        "club": ("kundenclub", "klub", "club"),
        "event": ("veranstaltung", "events", "event"),
        "newsletter": ("newsletter", "mailing"),
        "contract": ("vertrag", "abo", "abonnement", "contract"),
        "complaint_management": ("beschwerdemanagement", "reklamationsmanagement", "complaint management"),
        "other": ("sonstiges", "sonstige", "andere", "other"),
    },
}


def allowed_value_map(table: str, column: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """normalised value -> allowed value, for the allowed values themselves and their synonyms."""
    mapping = {norm_value(a): a for a in allowed}
    for canonical, words in VALUE_SYNONYMS.get((table, column), {}).items():
        for w in words:
            mapping.setdefault(norm_value(w), canonical)
    return mapping


def sql_allowed_parse(trimmed_expr: str, mapping: dict[str, str]) -> str:
    cases = " ".join(f"when {sql_str(k)} then {sql_str(v)}" for k, v in mapping.items())
    return f"(case {sql_norm_value(trimmed_expr)} {cases} end)"


# ------------------------------------------------------------------ per-column result
@dataclass(frozen=True)
class ColumnFormat:
    """How one source column is read into one contract column; what detection found or the caller chose."""

    target: str
    source: str
    type: str  # contract type: text, number, int, date, bool
    decimal: str | None = None  # numbers: ',' or '.'
    thousands: bool = False  # numbers: thousands separators seen in the sample
    date_format: str | None = None  # dates: strptime format of the date part
    has_time: bool = False  # dates: values carry a time (ignored)
    bool_style: str | None = None  # yes/no words seen, or 'x/empty'
    x_empty: bool = False  # yes/no: empty means no
    allowed: dict[str, str] | None = field(default=None, compare=False)  # normalised value -> allowed value
    decided_by: str = "data"  # data, user, file (typed Excel/Parquet cells or other columns), default
    ambiguous: bool = False
    options: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    matched: int | None = None  # sample values that fit the format
    total: int | None = None  # non-empty sample values

    def describe(self) -> str:
        """Short English description for reports, e.g. 'decimal comma, thousands separator' ."""
        if self.ambiguous:
            if self.type == "date":
                return "ambiguous date format: " + " or ".join(date_format_label(o) for o in self.options)
            return "ambiguous decimal separator: " + " or ".join(repr(o) for o in self.options)
        if self.type in ("number", "int"):
            if self.decimal is None:
                return "whole numbers"
            text = "decimal comma" if self.decimal == "," else "decimal point"
            return text + (", thousands separator" if self.thousands else "")
        if self.type == "date":
            return date_format_label(self.date_format) + (", time ignored" if self.has_time else "")
        if self.type == "bool":
            return self.bool_style or "yes/no"
        if self.allowed:
            return "one of " + ", ".join(sorted(set(self.allowed.values())))
        return "text"

    def as_dict(self) -> dict:
        return {
            "target": self.target, "source": self.source, "type": self.type, "format": self.describe(),
            "decimal": self.decimal, "date_format": self.date_format, "decided_by": self.decided_by,
            "ambiguous": self.ambiguous, "options": list(self.options), "examples": list(self.examples),
        }


def _examples(values: list[str | None], n: int = 3) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if v is not None and str(v).strip(WHITESPACE) and str(v) not in out:
            out.append(str(v).strip(WHITESPACE))
            if len(out) >= n:
                break
    return tuple(out)


def detect_column(table: str, column, source: str, values: list[str | None], *, native: str | None = None,
                  date_format: str | None = None, decimal: str | None = None) -> ColumnFormat:
    """How to read `values` (sample texts of header `source`) into contract column `column`.

    `native` is the cell type of a typed source (Excel/Parquet: number, date, bool, text, mixed); typed
    numbers and dates were written as canonical text (decimal point, ISO date), so nothing is guessed.
    `date_format` / `decimal` are the caller's choice and win over detection."""
    base = dict(target=column.name, source=source, type=column.type, examples=_examples(values))
    non_empty = [v for v in values if v is not None and str(v).strip(WHITESPACE)]
    if column.type in ("number", "int"):
        if decimal is not None:
            if decimal not in (",", "."):
                raise ValueError(f"the decimal separator must be ',' or '.', not {decimal!r}")
            guess = detect_decimal(non_empty)
            return ColumnFormat(**base, decimal=decimal, thousands=guess.thousands, decided_by="user")
        if native == "number":
            return ColumnFormat(**base, decimal=".", decided_by="file")
        guess = detect_decimal(non_empty)
        if guess.ambiguous:
            pick = [v for v in non_empty if re.fullmatch(r"[+-]?[1-9]\d{0,2}[.,]\d{3}", clean_number(str(v).strip()))]
            return ColumnFormat(**{**base, "examples": _examples(pick or non_empty)}, ambiguous=True,
                                options=(",", "."), total=len(non_empty))
        return ColumnFormat(**base, decimal=guess.decimal, thousands=guess.thousands,
                            decided_by="data" if guess.decimal else "default", total=len(non_empty))
    if column.type == "date":
        if date_format is not None:
            fmt = normalize_date_format(date_format)
            ok = sum(1 for v in non_empty if parse_date(v, fmt) is not None)
            has_time = any((split_date_time(str(v)) or ("", False))[1] for v in non_empty)
            return ColumnFormat(**base, date_format=fmt, has_time=has_time, decided_by="user", matched=ok,
                                total=len(non_empty))
        guess = detect_date_format(non_empty)
        if native == "date" and not guess.ambiguous:
            return ColumnFormat(**base, date_format="%Y-%m-%d", has_time=guess.has_time, decided_by="file",
                                matched=guess.matched, total=guess.total)
        if guess.ambiguous:
            examples = tuple(dict.fromkeys((guess.example, *base["examples"])))[:3]
            return ColumnFormat(**{**base, "examples": examples}, ambiguous=True,
                                options=guess.options, has_time=guess.has_time, matched=guess.matched,
                                total=guess.total)
        return ColumnFormat(**base, date_format=guess.format or "%Y-%m-%d", has_time=guess.has_time,
                            decided_by="data" if guess.format else "default", matched=guess.matched,
                            total=guess.total)
    if column.type == "bool":
        style, x_empty = detect_bool_style(non_empty)
        ok = sum(1 for v in non_empty if parse_bool(v) is not None)
        return ColumnFormat(**base, bool_style=style, x_empty=x_empty, matched=ok, total=len(non_empty))
    if column.allowed:
        return ColumnFormat(**base, allowed=allowed_value_map(table, column.name, column.allowed))
    return ColumnFormat(**base, decided_by="data")
