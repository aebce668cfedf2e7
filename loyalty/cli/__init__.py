"""Command line interface: `python -m loyalty <command> ...`.

Each module in this package is one command and defines `register(subparsers)`, which adds its parser
and sets `func=run` (a function `run(args) -> int`). Commands are discovered, so adding one touches
no other file. Errors a user can fix are raised as CliError and printed as one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from loyalty import __version__


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2 unless given."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loyalty", description="Loyalty Cockpit: loyalty controlling")
    parser.add_argument("--version", action="version", version=f"loyalty-cockpit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI promises a message, not a traceback
        from loyalty.contract import ContractError
        from loyalty.store import StoreError

        if isinstance(exc, (ContractError, StoreError, ValueError, OSError)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
