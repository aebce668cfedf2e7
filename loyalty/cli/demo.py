"""`python -m loyalty demo`: fill a workspace with generated, deterministic demo data."""

from __future__ import annotations

import sys

from loyalty.cli._common import add_workspace, open_workspace


def register(sub) -> None:
    parser = sub.add_parser("demo", help="generate demo data", description=__doc__)
    add_workspace(parser)
    parser.add_argument("--customers", type=int, default=20_000, help="number of customers (default 20000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--years", type=int, default=3, help="years of history (default 3)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from loyalty.cli import CliError
    from loyalty.demo import generate

    if args.customers < 10:
        raise CliError("--customers must be at least 10")
    ws = open_workspace(args, must_exist=False)
    ws.clear(user="cli")

    def progress(share: float, message: str) -> None:
        print(f"\r{share:6.1%} {message[:60]:<60}", end="", file=sys.stderr, flush=True)

    rows = generate(ws, customers=args.customers, seed=args.seed, years=args.years, progress=progress)
    print(file=sys.stderr)
    print("demo data written to {}: {}".format(ws.root, ", ".join(f"{t} {n:,}" for t, n in rows.items())))
    return 0
