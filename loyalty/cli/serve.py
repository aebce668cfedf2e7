"""`python -m loyalty serve`: run the app as a server for several people.

Starts Streamlit on app.py with the project's `.streamlit/config.toml` and these server settings:
headless, the given address and port, an optional base URL path (behind a reverse proxy), XSRF
protection, the upload limit from LOYALTY_MAX_UPLOAD_MB, no file watcher, no error details in the
browser (they go to the log) and the toolbar without developer options. Login is required: with
neither an identity provider in `.streamlit/secrets.toml` nor a user in the user file, the app says
how to create the first user (`python -m loyalty users add NAME --role admin`). `--no-login` turns that
off for a trusted single-user machine. Health check: GET <url>/_stcore/health answers "ok".
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tomllib
from pathlib import Path

from loyalty.auth import REQUIRE_LOGIN_ENV, USERS_FILE_ENV, UserError, UserStore, users_file
from loyalty.cli._common import add_workspace, settings_from
from loyalty.settings import PROJECT_ROOT

BASE_PATH = re.compile(r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(sub) -> None:
    parser = sub.add_parser("serve", help="run the app as a server (login, server settings)", description=__doc__)
    add_workspace(parser)
    env = os.environ
    parser.add_argument("--port", type=int, default=env.get("LOYALTY_PORT", "8501"),
                        help="port (default: $LOYALTY_PORT or 8501)")
    parser.add_argument("--address", default=env.get("LOYALTY_ADDRESS", "127.0.0.1"),
                        help="address to listen on (default: $LOYALTY_ADDRESS or 127.0.0.1, behind a reverse proxy; "
                             "0.0.0.0 in a container)")
    parser.add_argument("--base-path", default=env.get("LOYALTY_BASE_PATH", ""), metavar="PATH",
                        help="URL path prefix when a reverse proxy serves the app under it, e.g. loyalty "
                             "(default: $LOYALTY_BASE_PATH or none)")
    parser.add_argument("--users-file", metavar="FILE",
                        help="local user file (default: $LOYALTY_USERS_FILE or <workspace>/users.json)")
    parser.add_argument("--no-login", action="store_true",
                        help="allow running without any login (single user, every permission): trusted machines only")
    parser.add_argument("--dry-run", action="store_true", help="print the command and settings, do not start")
    parser.set_defaults(func=run)


def clean_base_path(raw: str) -> str:
    from loyalty.cli import CliError

    path = raw.strip().strip("/")
    if path and (not BASE_PATH.match(path) or any(part in (".", "..") for part in path.split("/"))):
        raise CliError(f"--base-path {raw!r}: use segments of letters, digits, '.', '_', '~' and '-' "
                       "separated by '/' (no '.' or '..' segments)")
    return path


def streamlit_command(args, settings, base_path: str) -> list[str]:
    return [
        sys.executable, "-m", "components.auth", "run", str(PROJECT_ROOT / "app.py"),
        "--server.headless", "true",
        "--server.address", args.address,
        "--server.port", str(args.port),
        "--server.baseUrlPath", base_path,
        "--server.enableXsrfProtection", "true",
        "--server.maxUploadSize", str(settings.max_upload_mb),
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--client.showErrorDetails", "none",
        "--client.toolbarMode", "viewer",
        "--browser.gatherUsageStats", "false",
    ]


def oidc_configured(secrets_files: list[Path] | None = None) -> bool:
    """Does a secrets.toml that Streamlit will read have an [auth] section?"""
    files = secrets_files or [PROJECT_ROOT / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]
    for path in files:
        try:
            with open(path, "rb") as fh:
                if tomllib.load(fh).get("auth"):
                    return True
        except FileNotFoundError:
            continue
        except tomllib.TOMLDecodeError as exc:
            from loyalty.cli import CliError

            raise CliError(f"{path} is not valid TOML: {exc}") from None
    return False


def describe_login(store: UserStore, no_login: bool) -> str:
    if oidc_configured():
        try:
            import authlib  # noqa: F401 - st.login needs it
        except ImportError:
            from loyalty.cli import CliError

            raise CliError("secrets.toml configures [auth] but Authlib is not installed: "
                           "pip install -r requirements.txt") from None
        return "identity provider (OIDC, [auth] in secrets.toml)"
    if store.path.exists():
        try:
            count = len(store.names())
        except UserError as exc:
            from loyalty.cli import CliError

            raise CliError(str(exc)) from None
        return f"local users ({count} in {store.path})"
    if no_login:
        return "none (--no-login: everyone who reaches the server has every permission)"
    return (f"NOT SET UP: nobody can log in until an admin runs "
            f"`python -m loyalty users add NAME --role admin` (user file {store.path})")


def run(args) -> int:
    from loyalty.cli import CliError

    if not 1 <= args.port <= 65535:
        raise CliError(f"--port {args.port}: choose a port between 1 and 65535")
    base_path = clean_base_path(args.base_path)
    settings = settings_from(args)
    workspace = settings.workspace.resolve()
    if not args.dry_run:
        try:
            workspace.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(f"cannot create the workspace {workspace}: {exc}") from None
    if workspace.exists() and not os.access(workspace, os.W_OK):
        raise CliError(f"the workspace {workspace} is not writable for this user")

    env = dict(os.environ)
    env["LOYALTY_WORKSPACE"] = str(workspace)
    env.setdefault("LOYALTY_AUTO_DEMO", "0")  # a server starts empty; `python -m loyalty demo` fills it on purpose
    if args.users_file:
        env[USERS_FILE_ENV] = str(Path(args.users_file).expanduser().resolve())
    if args.no_login:
        env.pop(REQUIRE_LOGIN_ENV, None)
    else:
        env[REQUIRE_LOGIN_ENV] = "1"
    path = Path(env[USERS_FILE_ENV]) if env.get(USERS_FILE_ENV) else users_file(workspace)
    login = describe_login(UserStore(path), args.no_login)
    command = streamlit_command(args, settings, base_path)

    host = f"[{args.address}]" if ":" in args.address else args.address
    url = f"http://{host}:{args.port}/{base_path + '/' if base_path else ''}"
    print(f"workspace:  {workspace}", file=sys.stderr)
    print(f"login:      {login}", file=sys.stderr)
    print(f"url:        {url}  (health: {url}_stcore/health)", file=sys.stderr)
    if args.no_login and args.address not in LOOPBACK:
        print("WARNING: --no-login on a network address: anyone who reaches it may change or delete data",
              file=sys.stderr)
    if args.dry_run:
        print(shlex.join(command))
        return 0
    sys.stderr.flush()
    os.chdir(PROJECT_ROOT)  # Streamlit reads .streamlit/config.toml and secrets.toml from here
    # `python -m components.auth run app.py ...` is `streamlit run` with Streamlit's pages/ folder mode
    # switched off before the first request (see components.auth.launch)
    os.execve(sys.executable, command, env)  # the server replaces this process (signals reach it directly)
    return 0  # not reached

