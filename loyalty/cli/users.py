"""`python -m loyalty users`: manage the local user store (names, roles, passwords) for a server.

The store is a JSON file with scrypt password hashes: `$LOYALTY_USERS_FILE`, else `<workspace>/users.json`
(or `--users-file FILE`). Once it holds a user, the app asks everyone to log in. Roles: viewer (sees
pages, downloads), analyst (also imports, edits measures and targets), admin (also deletes data,
manages users). Passwords are asked for twice on a terminal, or read from the first line of standard
input with --password-stdin, or generated and printed once with --generate.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import string
import sys
from pathlib import Path

from loyalty.auth import ROLES, UserError, UserStore, users_file
from loyalty.cli._common import add_format, add_workspace, print_json, print_table, settings_from

GENERATED_LENGTH = 16


def register(sub) -> None:
    parser = sub.add_parser("users", help="manage the local users (login for a shared server)", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        add_workspace(p)
        p.add_argument("--users-file", metavar="FILE",
                       help="user file (default: $LOYALTY_USERS_FILE or <workspace>/users.json)")
        p.set_defaults(func=run)
        return p

    def password_source(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        group.add_argument("--generate", action="store_true", help="generate a random password and print it once")

    listing = common(commands.add_parser("list", help="list users and roles (never passwords)"))
    add_format(listing)
    add = common(commands.add_parser("add", help="add a user"))
    add.add_argument("name", help="login name (letters, digits, . _ - @)")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--display-name", default="", help="name shown in the app (default: the login name)")
    password_source(add)
    remove = common(commands.add_parser("remove", help="remove a user (the last admin cannot be removed)"))
    remove.add_argument("name")
    role = common(commands.add_parser("set-role", help="change a user's role"))
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    reset = common(commands.add_parser("reset-password", help="set a new password (ends the user's sessions)"))
    reset.add_argument("name")
    password_source(reset)


def store_from(args) -> UserStore:
    if getattr(args, "users_file", None):
        return UserStore(Path(args.users_file).expanduser().resolve())
    return UserStore(users_file(settings_from(args).workspace))


def generate_password(length: int = GENERATED_LENGTH) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def read_password(args) -> tuple[str, bool]:
    """(password, generated)."""
    from loyalty.cli import CliError

    if args.generate:
        return generate_password(), True
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CliError("no password on standard input")
        return password, False
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for the password: use --password-stdin or --generate")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise CliError("the two passwords differ; nothing was changed")
    return first, False


def run(args) -> int:
    from loyalty.cli import CliError

    store = store_from(args)
    try:
        return _dispatch(args, store)
    except UserError as exc:
        raise CliError(str(exc)) from None


def _dispatch(args, store: UserStore) -> int:
    command = args.users_command
    if command == "list":
        records = store.records()
        if args.format == "json":
            print_json({"users_file": str(store.path), "users": records})
        elif not records:
            print(f"no users in {store.path}: the app runs without login until you add one")
        else:
            import pandas as pd

            print_table(pd.DataFrame(records))
        return 0
    if command == "add":
        password, generated = read_password(args)
        user = store.add(args.name, args.role, password, display_name=args.display_name)
        print(f"added {user.name} ({user.role}) to {store.path}")
    elif command == "remove":
        store.remove(args.name)
        print(f"removed {args.name.strip().lower()} from {store.path}")
        return 0
    elif command == "set-role":
        user = store.set_role(args.name, args.role)
        print(f"{user.name} is now {user.role}; their open sessions must log in again")
        return 0
    else:  # reset-password
        password, generated = read_password(args)
        store.set_password(args.name, password)
        print(f"new password set for {args.name.strip().lower()}; their open sessions must log in again")
    if generated:
        print(f"password (shown once, hand it over safely): {password}")
    return 0
