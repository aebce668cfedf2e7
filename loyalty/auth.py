"""Who may do what: roles, permission checks, and the local user store (no Streamlit here).

Roles build on each other:
- viewer: sees every page and downloads tables ("view", "download")
- analyst: also imports data and edits measures and targets ("import", "edit_measures", "edit_targets")
- admin: also deletes data and manages users ("delete_data", "manage_users")

`check(role, action)` raises PermissionDenied; code that changes the workspace calls it (or goes through
`GuardedWorkspace`), so a forbidden action is refused on the server, not only hidden in the browser.

The local user store is one JSON file (default `<workspace>/users.json`, or `$LOYALTY_USERS_FILE`),
never in the repository. Passwords are stored as salted scrypt hashes (Python's hashlib, parameters
kept with each hash so they can be raised later). The file is written atomically under a file lock and
readable by its owner only.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROLES = ("viewer", "analyst", "admin")
ACTIONS = ("view", "download", "import", "edit_measures", "edit_targets", "delete_data", "manage_users")
_VIEWER = frozenset({"view", "download"})
_ANALYST = _VIEWER | {"import", "edit_measures", "edit_targets"}
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": _VIEWER,
    "analyst": _ANALYST,
    "admin": _ANALYST | {"delete_data", "manage_users"},
}
WRITE_ACTIONS = ("import", "edit_measures", "edit_targets")  # the actions that may write a table

USERS_FILE_ENV = "LOYALTY_USERS_FILE"
REQUIRE_LOGIN_ENV = "LOYALTY_REQUIRE_LOGIN"
MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")

# scrypt cost: 2**15 * 8 * 128 bytes = 32 MiB and about 0.1 s per hash on one core
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 2**15, 8, 1, 32


class PermissionDenied(PermissionError):
    """The role may not perform the action."""

    def __init__(self, role: str, action: str, user: str | None = None):
        who = f"user {user!r} (role {role})" if user else f"role {role!r}"
        super().__init__(f"{who} may not {action.replace('_', ' ')}")
        self.role = role
        self.action = action
        self.user = user


class UserError(ValueError):
    """A user-store request that cannot be done (unknown user, weak password, last admin, ...)."""


def _known_action(action: str) -> None:
    if action not in ACTIONS:  # a typo must fail loudly, not silently deny or allow
        raise ValueError(f"unknown action {action!r}; known actions: {', '.join(ACTIONS)}")


def allowed(role: str | None, action: str) -> bool:
    _known_action(action)
    return action in PERMISSIONS.get(role or "", frozenset())


def check(role: str | None, action: str, user: str | None = None) -> None:
    """Raise PermissionDenied unless `role` may perform `action`."""
    if not allowed(role, action):
        raise PermissionDenied(role or "none", action, user)


def validate_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    return role


@dataclass(frozen=True)
class User:
    """A signed-in person. `name` is what the change log records (login name or e-mail address)."""

    name: str
    role: str
    display_name: str = ""
    source: str = "local"  # local (user store), oidc (identity provider), single (no login configured)

    @property
    def label(self) -> str:
        return self.display_name or self.name

    def can(self, action: str) -> bool:
        return allowed(self.role, action)

    def require(self, action: str) -> None:
        check(self.role, action, self.name)


# ------------------------------------------------------------------ passwords
def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=256 * n * r + 1024 * 1024)


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` with a fresh random 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):  # a damaged entry never signs anyone in
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(b'0' * 16)}${_b64(b'0' * SCRYPT_DKLEN)}"


def check_password_rules(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip().lower() == name.lower():
        raise UserError("the password must not be the user name")


def normalize_username(name: str) -> str:
    cleaned = name.strip().lower()
    if not USERNAME_PATTERN.match(cleaned):
        raise UserError(
            f"invalid user name {name!r}: use 1-64 letters, digits, '.', '_', '-' or '@', starting with a "
            "letter or digit"
        )
    return cleaned


# ------------------------------------------------------------------ the local user store
def users_file(workspace: str | Path) -> Path:
    """Where the local user store lives: $LOYALTY_USERS_FILE, else `<workspace>/users.json`."""
    configured = os.environ.get(USERS_FILE_ENV, "").strip()
    return Path(configured).expanduser().resolve() if configured else Path(workspace).resolve() / "users.json"


def login_required_by_environment() -> bool:
    """True when the server was started for several people (`python -m loyalty serve` sets it)."""
    return os.environ.get(REQUIRE_LOGIN_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_store_thread_lock = threading.Lock()


class UserStore:
    """Users with role and password hash in one JSON file: `{"users": {name: {...}}}`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._cache: tuple[tuple[int, int], dict] | None = None

    # reading
    def _load(self) -> dict:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._cache and self._cache[0] == stamp:
            return self._cache[1]
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"the user file {self.path} cannot be read: {exc}") from exc
        users = data.get("users", {}) if isinstance(data, dict) else {}
        self._cache = (stamp, users)
        return users

    def names(self) -> list[str]:
        return sorted(self._load())

    def has_users(self) -> bool:
        return bool(self._load())

    def get(self, name: str) -> User | None:
        try:
            key = normalize_username(name)
        except UserError:
            return None
        entry = self._load().get(key)
        if not entry or entry.get("role") not in ROLES:
            return None
        return User(name=key, role=entry["role"], display_name=entry.get("display_name", ""), source="local")

    def records(self) -> list[dict]:
        """Every user without the password hash (for listings)."""
        return [{"name": name, "role": entry.get("role"), "display_name": entry.get("display_name", ""),
                 "created_at": entry.get("created_at"), "password_changed_at": entry.get("password_changed_at")}
                for name, entry in sorted(self._load().items())]

    def credential_stamp(self, name: str) -> str | None:
        """Changes whenever the user's password or role changes: a session signed in before is ended."""
        entry = self._load().get(name)
        if not entry:
            return None
        return hashlib.sha256(f"{entry.get('password', '')}|{entry.get('role', '')}".encode()).hexdigest()[:16]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if name and password match; takes the same time for unknown names."""
        try:
            key = normalize_username(name)
        except UserError:
            key = None
        entry = self._load().get(key) if key else None
        stored = entry.get("password", "") if entry else _DUMMY_HASH
        ok = verify_password(password, stored)
        if not (ok and entry):
            return None
        return self.get(key)

    # writing
    @contextmanager
    def _locked(self) -> Iterator[dict]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        with _store_thread_lock, open(lock_path, "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                self._cache = None
                users = {name: dict(entry) for name, entry in self._load().items()}
                yield users
                self._save(users)
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _save(self, users: dict) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"users": users}, fh, indent=2, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._cache = None

    def add(self, name: str, role: str, password: str, display_name: str = "") -> User:
        key = normalize_username(name)
        validate_role(role)
        check_password_rules(key, password)
        hashed = hash_password(password)
        with self._locked() as users:
            if key in users:
                raise UserError(f"user {key!r} exists already; use set-role or reset-password")
            now = _now()
            users[key] = {"role": role, "password": hashed, "display_name": display_name.strip(),
                          "created_at": now, "password_changed_at": now}
        return User(key, role, display_name.strip(), "local")

    def remove(self, name: str) -> None:
        key = normalize_username(name)
        with self._locked() as users:
            self._require(users, key)
            if users[key].get("role") == "admin" and _admins(users) == [key]:
                raise UserError(f"{key!r} is the last admin; make another user admin first")
            del users[key]

    def set_role(self, name: str, role: str) -> User:
        key = normalize_username(name)
        validate_role(role)
        with self._locked() as users:
            self._require(users, key)
            if role != "admin" and _admins(users) == [key]:
                raise UserError(f"{key!r} is the last admin; make another user admin first")
            users[key]["role"] = role
            display = users[key].get("display_name", "")
        return User(key, role, display, "local")

    def set_password(self, name: str, password: str) -> None:
        key = normalize_username(name)
        check_password_rules(key, password)
        hashed = hash_password(password)
        with self._locked() as users:
            self._require(users, key)
            users[key]["password"] = hashed
            users[key]["password_changed_at"] = _now()

    @staticmethod
    def _require(users: dict, key: str) -> None:
        if key not in users:
            raise UserError(f"no user {key!r}")


def _admins(users: Mapping[str, dict]) -> list[str]:
    return [name for name, entry in users.items() if entry.get("role") == "admin"]


# ------------------------------------------------------------------ failed logins
class LoginThrottle:
    """After `limit` failed logins for one name within `window` seconds, refuse that name until the
    window has passed (slows down password guessing; one per server process)."""

    def __init__(self, limit: int = 5, window: float = 900.0, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> list[float]:
        now = self.clock()
        recent = [t for t in self._failures.get(key, []) if now - t < self.window]
        self._failures[key] = recent
        return recent

    def blocked_for(self, name: str) -> float:
        """Seconds until `name` may try again (0 when it may try now)."""
        key = name.strip().lower()
        with self._lock:
            recent = self._recent(key)
            if len(recent) < self.limit:
                return 0.0
            return max(0.0, self.window - (self.clock() - recent[-self.limit]))

    def failed(self, name: str) -> None:
        key = name.strip().lower()
        with self._lock:
            self._recent(key).append(self.clock())
            self._failures[key] = self._failures[key][-self.limit:]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.strip().lower(), None)


# ------------------------------------------------------------------ identity provider (OIDC) roles
def role_for_email(email: str | None, role_lists: Mapping[str, Iterable[str]] | None,
                   default_role: str | None = "viewer") -> str | None:
    """The highest role whose allow-list names the address (or its domain as "@example.com");
    otherwise `default_role` ("none" or empty: no access, returns None)."""
    address = (email or "").strip().lower()
    if not address:
        return None
    domain = "@" + address.rsplit("@", 1)[-1] if "@" in address else None
    for role in reversed(ROLES):  # admin first: the highest matching role wins
        entries = {str(e).strip().lower() for e in (role_lists or {}).get(role, ()) or ()}
        if address in entries or (domain and domain in entries):
            return role
    if not default_role or default_role == "none":
        return None
    return validate_role(default_role)


# ------------------------------------------------------------------ server-side enforcement for writes
class GuardedWorkspace:
    """A workspace seen through one user's permissions: reads pass through, every write is checked and
    recorded with the user's name. Pages write through this, never through the raw Workspace."""

    _READS = ("root", "snapshot", "version", "is_empty", "changes", "keep_versions")

    def __init__(self, workspace, user: User):
        self._workspace = workspace
        self.user = user

    def __getattr__(self, name: str):
        if name in self._READS:
            return getattr(self._workspace, name)
        raise AttributeError(f"{name!r} is not available through GuardedWorkspace")

    def staging_path(self, suffix: str = ".parquet") -> Path:
        """A fresh file inside the workspace to stage an import (only for users who may import)."""
        self.user.require("import")
        return self._workspace.staging_path(suffix)

    def write(self, table: str, data, *, action: str = "import", **kwargs):
        if action not in WRITE_ACTIONS:
            raise ValueError(f"a table write is one of {', '.join(WRITE_ACTIONS)}, not {action!r}")
        self.user.require(action)
        kwargs.pop("user", None)  # the signed-in user is recorded, whatever the caller passes
        return self._workspace.write(table, data, user=self.user.name, **kwargs)

    def delete(self, table: str) -> int:
        self.user.require("delete_data")
        return self._workspace.delete(table, user=self.user.name)

    def clear(self) -> None:
        self.user.require("delete_data")
        self._workspace.clear(user=self.user.name)

    def log_event(self, **entry) -> None:
        self.user.require("import")
        entry["user"] = self.user.name
        self._workspace.log_event(**entry)


__all__ = [
    "ACTIONS", "ROLES", "PERMISSIONS", "User", "UserStore", "UserError", "PermissionDenied", "GuardedWorkspace",
    "LoginThrottle", "allowed", "check", "hash_password", "verify_password", "role_for_email", "users_file",
]
