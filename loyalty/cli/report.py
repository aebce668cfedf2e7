"""`python -m loyalty report`: the management report as a self-contained HTML file or a PDF."""

from __future__ import annotations

from pathlib import Path

from loyalty.cli._common import add_period, add_workspace, open_engine
from loyalty.filters import COMPARISONS


def register(sub) -> None:
    parser = sub.add_parser("report", help="management report (HTML or PDF)", description=__doc__)
    add_workspace(parser)
    add_period(parser)
    parser.add_argument("--segment", action="append", default=[], help="only this segment (repeatable)")
    parser.add_argument("--comparison", choices=COMPARISONS, default="previous_period")
    parser.add_argument("--lang", choices=("de", "en"), default="de")
    parser.add_argument("--out", required=True, metavar="FILE.html|FILE.pdf", help="where to write the report")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dataclasses import replace

    from loyalty.cli import CliError
    from loyalty.cli.kpis import resolve_filters
    from loyalty.report import build_report, render_html, write_pdf

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".pdf"):
        raise CliError("--out must end in .html or .pdf")
    if not out.parent.exists():
        raise CliError(f"folder {out.parent} does not exist")
    con = open_engine(args)  # DuckDB or Spark (--engine); the report only runs query files
    filters = replace(resolve_filters(args, con), comparison=args.comparison)
    html_text = render_html(build_report(con, con.snapshot, filters, args.lang))
    if out.suffix.lower() == ".pdf":
        try:
            write_pdf(html_text, out)
        except RuntimeError as exc:
            raise CliError(str(exc)) from exc
    else:
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(html_text, encoding="utf-8")
        tmp.replace(out)
    print(f"report written to {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0
