"""What a report consists of, independent of how it is rendered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go


@dataclass(frozen=True)
class KpiLine:
    kpi: str
    label: str
    value: str
    previous: str
    change: str
    target: str = "–"
    status: str = ""  # green | amber | red | "" (no target)


@dataclass(frozen=True)
class Section:
    area: str
    title: str
    sentence: str  # one sentence of interpretation generated from the numbers
    figure: go.Figure | None = None
    note: str = ""  # e.g. which table is missing


@dataclass(frozen=True)
class Report:
    title: str
    lang: str
    start: date
    end: date
    comparison: str
    filters_text: str
    kpis: list[KpiLine]
    sections: list[Section] = field(default_factory=list)
    demo: bool = False
    generated_at: str = ""
