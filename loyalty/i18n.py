"""All user-facing text in German and English, and locale-aware number and date formatting.

Texts live in loyalty/locales/<area>.toml, one file per page or area, as
`key = { de = "...", en = "..." }` under a `[area]` table, so the key `cockpit.title` is the entry
`title` in cockpit.toml. `{name}` placeholders are filled by keyword arguments.
"""

from __future__ import annotations

import math
import tomllib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALE_DIR.glob("*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        _flatten(data, "", texts)
    return texts


def _flatten(node: dict, prefix: str, out: dict) -> None:
    for key, value in node.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) <= set(LANGUAGES) and value:
            out[full] = value
        elif isinstance(value, dict):
            _flatten(value, f"{full}.", out)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The text for `key` in `lang`; a missing key shows itself so it is noticed, never crashes."""
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or key
    return text.format(**values) if values else text


def _group(number: float, decimals: int, lang: str) -> str:
    text = f"{number:,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value, lang: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    if _missing(value):
        return "–"
    return _group(float(value), decimals, lang)


def fmt_money(value, lang: str = DEFAULT_LANGUAGE, decimals: int = 0, currency: str = "€") -> str:
    if _missing(value):
        return "–"
    number = _group(float(value), decimals, lang)
    return f"{number} {currency}" if lang == "de" else f"{currency}{number}" if not number.startswith("-") \
        else f"-{currency}{number[1:]}"


def fmt_percent(share, lang: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """`share` is a fraction (0.25 -> 25 %)."""
    if _missing(share):
        return "–"
    number = _group(float(share) * 100, decimals, lang)
    return f"{number} %" if lang == "de" else f"{number}%"


def fmt_points(value, lang: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """Percentage points (for differences of rates)."""
    if _missing(value):
        return "–"
    number = _group(float(value) * 100, decimals, lang)
    sign = "+" if float(value) > 0 else ""
    return f"{sign}{number} {'Pp.' if lang == 'de' else 'pp'}"


def fmt_date(value, lang: str = DEFAULT_LANGUAGE) -> str:
    if _missing(value):
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d.%m.%Y") if lang == "de" else value.isoformat()


def d3_format(kind: str, lang: str = DEFAULT_LANGUAGE) -> dict:
    """Plotly layout pieces so chart axes and hovers use the language's separators."""
    return {"separators": ",." if lang == "de" else ".,"}
