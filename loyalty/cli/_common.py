"""Arguments and output helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from typing import Any

import pandas as pd

from loyalty import engines
from loyalty.engines import ENGINES, Engine
from loyalty.settings import Settings
from loyalty.store import Workspace


def add_workspace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", metavar="DIR", help="workspace folder (default: $LOYALTY_WORKSPACE or ./data)")
    parser.add_argument("--engine", choices=ENGINES,
                        help="query engine (default: $LOYALTY_ENGINE or duckdb; spark: see docs/scaling.md)")


def add_period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", type=parse_date, metavar="YYYY-MM-DD", help="first day (default: first day of data)")
    parser.add_argument("--end", type=parse_date, metavar="YYYY-MM-DD", help="last day (default: last day of data)")


def add_dimension_filters(parser: argparse.ArgumentParser) -> None:
    """--segment/--region/--channel/--store, repeatable (read by loyalty.cli.kpis.resolve_filters)."""
    for name in ("segment", "region", "channel", "store"):
        parser.add_argument(f"--{name}", action="append", default=[], help=f"only this {name} (repeatable)")


def add_format(parser: argparse.ArgumentParser, choices=("table", "json"), default="table") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default: {default})")


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def settings_from(args) -> Settings:
    return Settings.from_env(workspace=getattr(args, "workspace", None), engine=getattr(args, "engine", None))


def open_workspace(args, must_exist: bool = True) -> Workspace:
    from loyalty.cli import CliError

    settings = settings_from(args)
    ws = Workspace(settings.workspace, keep_versions=settings.keep_versions)
    if must_exist and ws.is_empty():
        raise CliError(
            f"workspace {settings.workspace} holds no data; run `python -m loyalty demo --workspace DIR` "
            "or `python -m loyalty import ...` first"
        )
    return ws


def open_engine(args) -> Engine:
    """The query engine of --engine / $LOYALTY_ENGINE over the workspace's current snapshot.

    `loyalty.queries.run(engine, name, **params)` works as with a DuckDB connection.
    """
    from loyalty.cli import CliError

    settings = settings_from(args)
    snapshot = open_workspace(args).snapshot()
    try:
        return engines.open_engine(snapshot, settings)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - pyspark missing, no Java, no cluster: one line, not a traceback
        if settings.engine == "duckdb":
            raise
        raise CliError(f"could not start the {settings.engine} engine: {str(exc).strip().splitlines()[0]}") from None


def _json_default(value: Any):
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def clean_json(value: Any) -> Any:
    """NaN/inf become null so the output is valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return clean_json(value.item())
    if value is pd.NaT:
        return None
    return value


def print_json(value: Any) -> None:
    json.dump(clean_json(value), sys.stdout, default=_json_default, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def records(df: pd.DataFrame) -> list[dict]:
    return [clean_json(r) for r in df.astype(object).where(df.notna(), None).to_dict(orient="records")]


def print_table(df: pd.DataFrame) -> None:
    with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 200):
        print(df.to_string(index=False))
