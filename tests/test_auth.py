"""Logins, roles and permission checks: the core (loyalty/auth.py), the admin CLI (`python -m loyalty
users`), the server command (`python -m loyalty serve`), the server settings, and the login gate of the
app under AppTest (components/auth.py)."""

from __future__ import annotations

import io
import json
import stat
import tomllib

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from components import data as data_component
from loyalty import auth
from loyalty.auth import (
    GuardedWorkspace,
    LoginThrottle,
    PermissionDenied,
    User,
    UserError,
    UserStore,
    role_for_email,
)
from loyalty.cli import main as cli
from loyalty.settings import Settings
from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, ROOT, make_workspace, to_arrow

PASSWORD = "correct horse battery"

# ------------------------------------------------------------------ roles and permissions
# the table: viewer sees pages and downloads; analyst imports and edits measures and targets;
# admin also deletes data and manages users
EXPECTED = {
    "viewer": {"view", "download"},
    "analyst": {"view", "download", "import", "edit_measures", "edit_targets"},
    "admin": {"view", "download", "import", "edit_measures", "edit_targets", "delete_data", "manage_users"},
}


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("action", auth.ACTIONS)
def test_permission_matrix(role, action):
    assert auth.allowed(role, action) == (action in EXPECTED[role])
    if action in EXPECTED[role]:
        auth.check(role, action)
    else:
        with pytest.raises(PermissionDenied) as refused:
            auth.check(role, action, user="vera")
        assert refused.value.role == role and refused.value.action == action and "vera" in str(refused.value)


def test_unknown_role_may_do_nothing_and_unknown_action_is_an_error():
    assert not auth.allowed("guest", "view") and not auth.allowed(None, "view")
    with pytest.raises(PermissionDenied):
        auth.check(None, "view")
    with pytest.raises(ValueError, match="unknown action"):
        auth.allowed("admin", "impotr")  # a typo must not silently allow or deny


# ------------------------------------------------------------------ passwords and the user store
def test_password_hash_is_salted_scrypt_and_verifies_only_the_right_password():
    first, second = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert first.startswith("scrypt$32768$8$1$") and first != second  # fresh salt each time
    assert PASSWORD not in first
    assert auth.verify_password(PASSWORD, first) and auth.verify_password(PASSWORD, second)
    assert not auth.verify_password(PASSWORD + "!", first)
    assert not auth.verify_password(PASSWORD, "scrypt$broken")
    assert not auth.verify_password(PASSWORD, "")


def test_store_adds_authenticates_and_keeps_no_plain_password(tmp_path):
    store = UserStore(tmp_path / "users.json")
    assert not store.path.exists() and not store.has_users()
    store.add("Anna.Admin", "admin", PASSWORD, display_name="Anna")
    user = store.authenticate("  anna.admin ", PASSWORD)  # names are case-insensitive, trimmed
    assert user == User("anna.admin", "admin", "Anna", "local")
    assert store.authenticate("anna.admin", "wrong password") is None
    assert store.authenticate("nobody", PASSWORD) is None
    assert store.authenticate("../etc/passwd", PASSWORD) is None
    text = store.path.read_text(encoding="utf-8")
    assert PASSWORD not in text and "scrypt$" in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600  # readable by the service user only
    assert "scrypt" not in json.dumps(store.records()) and "password" not in store.records()[0]


def test_store_refuses_bad_input(tmp_path):
    store = UserStore(tmp_path / "users.json")
    store.add("anna", "admin", PASSWORD)
    with pytest.raises(UserError, match="exists already"):
        store.add("ANNA", "viewer", PASSWORD)
    with pytest.raises(UserError, match="at least 10"):
        store.add("bert", "viewer", "short")
    with pytest.raises(UserError, match="must not be the user name"):
        store.add("bertbertbert", "viewer", "BertBertBert")
    with pytest.raises(UserError, match="invalid user name"):
        store.add("../bert", "viewer", PASSWORD)
    with pytest.raises(UserError, match="unknown role"):
        store.add("bert", "superuser", PASSWORD)
    with pytest.raises(UserError, match="no user"):
        store.set_role("bert", "viewer")
    assert store.names() == ["anna"]


def test_the_last_admin_cannot_be_removed_or_demoted(tmp_path):
    store = UserStore(tmp_path / "users.json")
    store.add("anna", "admin", PASSWORD)
    store.add("vera", "viewer", PASSWORD)
    with pytest.raises(UserError, match="last admin"):
        store.remove("anna")
    with pytest.raises(UserError, match="last admin"):
        store.set_role("anna", "analyst")
    store.set_role("vera", "admin")
    store.set_role("anna", "analyst")
    store.remove("anna")
    assert store.names() == ["vera"] and store.get("vera").role == "admin"


def test_credential_stamp_changes_with_password_and_role(tmp_path):
    store = UserStore(tmp_path / "users.json")
    store.add("anna", "admin", PASSWORD)
    store.add("vera", "viewer", PASSWORD)
    before = store.credential_stamp("vera")
    store.set_password("vera", "another long password")
    after_password = store.credential_stamp("vera")
    store.set_role("vera", "analyst")
    assert len({before, after_password, store.credential_stamp("vera")}) == 3
    assert store.authenticate("vera", PASSWORD) is None
    assert store.authenticate("vera", "another long password").role == "analyst"


def test_a_damaged_user_file_is_an_error_not_an_empty_store(tmp_path):
    path = tmp_path / "users.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="cannot be read"):
        UserStore(path).has_users()


def test_users_file_location(tmp_path, monkeypatch):
    monkeypatch.delenv(auth.USERS_FILE_ENV, raising=False)
    assert auth.users_file(tmp_path / "ws") == (tmp_path / "ws" / "users.json").resolve()
    monkeypatch.setenv(auth.USERS_FILE_ENV, str(tmp_path / "etc" / "loyalty-users.json"))
    assert auth.users_file(tmp_path / "ws") == (tmp_path / "etc" / "loyalty-users.json").resolve()


def test_login_throttle_blocks_a_name_after_five_failures_for_the_window():
    now = [1000.0]
    throttle = LoginThrottle(limit=5, window=900, clock=lambda: now[0])
    for _ in range(4):
        throttle.failed("Vera")
    assert throttle.blocked_for("vera") == 0
    throttle.failed("vera")
    assert throttle.blocked_for("VERA") == 900  # five failures at t=1000: blocked until t=1900
    assert throttle.blocked_for("anna") == 0  # other names are not affected
    now[0] = 1899.0
    assert throttle.blocked_for("vera") == 1
    now[0] = 1900.0
    assert throttle.blocked_for("vera") == 0
    throttle.failed("anna")
    throttle.succeeded("anna")
    assert throttle._failures.get("anna") is None


# ------------------------------------------------------------------ identity provider roles
ROLE_LISTS = {"admin": ["it@firma.de"], "analyst": ["Anna@Firma.de", "@controlling.firma.de"], "viewer": ["@firma.de"]}


@pytest.mark.parametrize(("email", "default", "expected"), [
    ("it@firma.de", "viewer", "admin"),
    ("IT@FIRMA.DE", "viewer", "admin"),  # case-insensitive
    ("anna@firma.de", "viewer", "analyst"),  # listed as analyst, and viewer by domain: highest wins
    ("max@controlling.firma.de", "none", "analyst"),  # whole domain
    ("max@firma.de", "none", "viewer"),
    ("max@firma.de.evil.com", "none", None),  # a look-alike domain is not the domain
    ("x@other.com", "viewer", "viewer"),  # default role for unlisted accounts
    ("x@other.com", "none", None),
    ("x@other.com", "", None),
    ("", "viewer", None),  # no address: no role
])
def test_role_for_email(email, default, expected):
    assert role_for_email(email, ROLE_LISTS, default) == expected


def test_role_for_email_rejects_an_unknown_default_role():
    with pytest.raises(UserError):
        role_for_email("x@other.com", {}, "superuser")


# ------------------------------------------------------------------ server-side enforcement
def test_viewer_cannot_write_through_the_guarded_workspace(tmp_path):
    ws = make_workspace(tmp_path / "ws", transactions=FIXTURE_TRANSACTIONS)
    manifest = (tmp_path / "ws" / "manifest.json").read_bytes()
    viewer = GuardedWorkspace(ws, User("vera", "viewer"))
    rows = to_arrow("transactions", FIXTURE_TRANSACTIONS[:2])
    for forbidden in (lambda: viewer.write("transactions", rows),
                      lambda: viewer.write("targets", rows, action="edit_targets"),
                      lambda: viewer.staging_path(),
                      lambda: viewer.delete("transactions"),
                      lambda: viewer.clear(),
                      lambda: viewer.log_event(action="import_rejected", table="transactions")):
        with pytest.raises(PermissionDenied):
            forbidden()
    assert (tmp_path / "ws" / "manifest.json").read_bytes() == manifest
    assert viewer.snapshot().tables["transactions"].rows == 8  # reading is allowed
    with pytest.raises(AttributeError):
        viewer.lock()  # no way around the checks through the raw workspace
    with pytest.raises(ValueError, match="table write"):
        GuardedWorkspace(ws, User("anna", "admin")).write("transactions", rows, action="delete_data")


def test_analyst_writes_are_recorded_with_the_signed_in_user(tmp_path):
    ws = make_workspace(tmp_path / "ws", transactions=FIXTURE_TRANSACTIONS)
    analyst = GuardedWorkspace(ws, User("alex", "analyst"))
    result = analyst.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS[:2]), mode="replace",
                           source="kasse.csv", user="somebody-else")
    assert result.rows_total == 2
    entry = ws.changes()[0]
    assert (entry["user"], entry["table"], entry["source"], entry["rows_written"]) == ("alex", "transactions",
                                                                                        "kasse.csv", 2)
    with pytest.raises(PermissionDenied):
        analyst.delete("transactions")
    GuardedWorkspace(ws, User("anna", "admin")).delete("transactions")
    assert ws.changes()[0]["user"] == "anna" and ws.changes()[0]["action"] == "delete"


def test_table_names_from_user_input_cannot_reach_the_file_system(tmp_path):
    ws = GuardedWorkspace(make_workspace(tmp_path / "ws"), User("anna", "admin"))
    with pytest.raises(ValueError):  # ContractError: only contract tables exist
        ws.write("../../etc/cron.d/x", to_arrow("transactions", FIXTURE_TRANSACTIONS[:1]))
    assert not (tmp_path / "etc").exists()


# ------------------------------------------------------------------ the admin CLI
def run_cli(capsys, monkeypatch, *argv, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_cli_manages_the_store(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(auth.USERS_FILE_ENV, raising=False)
    ws = ["--workspace", str(tmp_path / "ws")]
    code, out, _ = run_cli(capsys, monkeypatch, "users", "add", "anna", "--role", "admin", "--password-stdin", *ws,
                           stdin=PASSWORD + "\n")
    assert code == 0 and "added anna (admin)" in out
    code, out, _ = run_cli(capsys, monkeypatch, "users", "add", "vera", "--role", "viewer", "--generate", *ws)
    generated = out.strip().rsplit(" ", 1)[-1]
    assert code == 0 and len(generated) == 16
    store = UserStore(tmp_path / "ws" / "users.json")
    assert store.authenticate("vera", generated).role == "viewer"
    assert run_cli(capsys, monkeypatch, "users", "set-role", "vera", "analyst", *ws)[0] == 0
    assert store.get("vera").role == "analyst"
    code, _, _ = run_cli(capsys, monkeypatch, "users", "reset-password", "vera", "--password-stdin", *ws,
                         stdin="a brand new password\n")
    assert code == 0 and store.authenticate("vera", "a brand new password")
    code, out, _ = run_cli(capsys, monkeypatch, "users", "list", "--format", "json", *ws)
    listing = json.loads(out)
    assert [(u["name"], u["role"]) for u in listing["users"]] == [("anna", "admin"), ("vera", "analyst")]
    assert "scrypt" not in out
    code, _, err = run_cli(capsys, monkeypatch, "users", "remove", "anna", *ws)
    assert code == 2 and "last admin" in err
    code, _, err = run_cli(capsys, monkeypatch, "users", "add", "bert", "--role", "viewer", "--password-stdin", *ws,
                           stdin="short\n")
    assert code == 2 and "at least 10" in err
    assert run_cli(capsys, monkeypatch, "users", "remove", "vera", *ws)[0] == 0
    assert store.names() == ["anna"]


def test_users_cli_needs_a_password_source_without_a_terminal(tmp_path, capsys, monkeypatch):
    code, _, err = run_cli(capsys, monkeypatch, "users", "add", "anna", "--role", "admin",
                           "--users-file", str(tmp_path / "u.json"), stdin="")
    assert code == 2 and "--password-stdin" in err
    assert not (tmp_path / "u.json").exists()


# ------------------------------------------------------------------ serve and the server settings
def test_serve_dry_run_starts_streamlit_with_the_server_settings(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LOYALTY_MAX_UPLOAD_MB", "250")
    monkeypatch.delenv("LOYALTY_ADDRESS", raising=False)
    code, out, err = run_cli(capsys, monkeypatch, "serve", "--workspace", str(tmp_path / "ws"), "--port", "8123",
                             "--base-path", "/loyalty/", "--dry-run")
    assert code == 0
    args = out.split()
    flags = dict(zip(args[5::2], args[6::2]))
    assert args[1:5] == ["-m", "components.auth", "run", str(ROOT / "app.py")]
    assert flags["--server.port"] == "8123" and flags["--server.baseUrlPath"] == "loyalty"
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.headless"] == "true"
    assert flags["--server.maxUploadSize"] == "250"  # from LOYALTY_MAX_UPLOAD_MB, the app's own limit
    assert flags["--server.enableXsrfProtection"] == "true" and flags["--client.toolbarMode"] == "viewer"
    assert flags["--client.showErrorDetails"] == "none"
    assert "NOT SET UP" in err and "http://127.0.0.1:8123/loyalty/_stcore/health" in err
    assert not (tmp_path / "ws").exists()  # a dry run changes nothing


@pytest.mark.parametrize("bad", ["../etc", "a/../b", "a b", "x?y=1"])
def test_serve_refuses_unsafe_base_paths(tmp_path, capsys, monkeypatch, bad):
    code, _, err = run_cli(capsys, monkeypatch, "serve", "--workspace", str(tmp_path), "--base-path", bad, "--dry-run")
    assert code == 2 and "--base-path" in err


def test_config_toml_has_the_server_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert server["headless"] is True and server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server["maxUploadSize"] == Settings().max_upload_mb  # the upload limit is one number
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False


def test_secrets_stay_out_of_the_repository():
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(example["auth"])
    assert example["auth"]["redirect_uri"].endswith("/oauth2callback")
    assert set(example["loyalty"]["roles"]) <= set(auth.ROLES)
    assert role_for_email("it-admin@example.com", example["loyalty"]["roles"], example["loyalty"]["default_role"]) == "admin"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()


# ------------------------------------------------------------------ the login gate in the app (AppTest)
@pytest.fixture()
def app_env(tmp_path, monkeypatch):
    """A workspace with the canonical fixture and a user file with one user per role; the app's
    settings point at them. Streamlit's pages-folder mode is off, as `python -m loyalty serve` runs
    the app (AppTest would otherwise wrap every run of app.py in a navigation of the pages/ files)."""
    original_init = PagesManager.__init__

    def init_without_pages_folder(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_without_pages_folder)
    root = tmp_path / "ws"
    make_workspace(root, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    users = tmp_path / "users.json"
    monkeypatch.setenv("LOYALTY_WORKSPACE", str(root))
    monkeypatch.setenv("LOYALTY_AUTO_DEMO", "0")
    monkeypatch.setenv(auth.USERS_FILE_ENV, str(users))
    monkeypatch.delenv(auth.REQUIRE_LOGIN_ENV, raising=False)
    monkeypatch.setattr(data_component, "SETTINGS", Settings.from_env())
    return root, users


def add_users(users) -> UserStore:
    store = UserStore(users)
    for name, role in (("anna", "admin"), ("alex", "analyst"), ("vera", "viewer")):
        store.add(name, role, f"{name}-{PASSWORD}")
    return store


def app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    return at


def login(at: AppTest, name: str, password: str) -> AppTest:
    name_box, password_box = at.text_input[0], at.text_input[1]
    name_box.input(name)
    password_box.input(password)
    return at.button[-1].click().run()


def shows_login_form(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["User name", "Password"]


def test_without_login_the_app_shows_only_the_login_form(app_env):
    _, users = app_env
    add_users(users)
    at = app().run()
    assert not at.exception
    assert shows_login_form(at)
    assert not at.metric and not at.get("plotly_chart") and not at.dataframe  # no data before login
    assert not at.sidebar.children or not at.sidebar.selectbox  # no filters (they would reveal stores, segments)

    login(at, "vera", "wrong password here")
    assert [e.value for e in at.error] == ["The user name or password is wrong."]
    assert shows_login_form(at) and not at.metric

    login(at, "Vera", f"vera-{PASSWORD}")
    assert not at.exception
    assert not at.text_input  # the form is gone
    assert [m.label for m in at.metric][:2] == ["Active customers", "Orders"]  # the cockpit renders
    assert "Logged in as **vera** (Viewer)" in [c.value for c in at.sidebar.caption]


def test_a_page_run_on_its_own_still_asks_for_the_login(app_env):
    # a page file run on its own (as Streamlit would for a `pages/` folder) must still stop at the login:
    # its get_context() runs the gate
    _, users = app_env
    add_users(users)
    at = AppTest.from_file(str(ROOT / "app_pages" / "cockpit.py"), default_timeout=60).run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Benutzername", "Passwort"]
    assert not at.metric


def test_a_removed_user_or_changed_role_ends_the_session(app_env):
    _, users = app_env
    store = add_users(users)
    at = login(app().run(), "alex", f"alex-{PASSWORD}")
    assert at.metric
    store.set_role("alex", "viewer")
    at.run()
    assert shows_login_form(at) and not at.metric
    assert [w.value for w in at.warning] == ["Your role or password was changed. Please log in again."]
    login(at, "alex", f"alex-{PASSWORD}")
    assert "Logged in as **alex** (Viewer)" in [c.value for c in at.sidebar.caption]


def test_repeated_wrong_passwords_block_the_name(app_env):
    _, users = app_env
    add_users(users)
    at = app().run()
    from components import auth as gate

    gate._THROTTLE.succeeded("anna")
    try:
        for _ in range(5):
            login(at, "anna", "not the password!")
        login(at, "anna", f"anna-{PASSWORD}")  # even the right password is refused now
        assert "Too many failed logins" in at.error[0].value and shows_login_form(at)
    finally:
        gate._THROTTLE.succeeded("anna")


def test_single_user_mode_without_a_user_file(app_env):
    app_env[1].unlink(missing_ok=True)
    at = app().run()
    assert not at.exception and not at.text_input and at.metric
    assert any("Single-user mode" in c.value for c in at.sidebar.caption)


def test_a_server_without_login_set_up_shows_how_to_set_it_up(app_env, monkeypatch):
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    at = app().run()
    assert not at.exception and not at.metric and not at.text_input
    assert "python -m loyalty users add NAME --role admin" in at.info[0].value


def test_a_damaged_user_file_locks_everyone_out(app_env):
    app_env[1].write_text("{", encoding="utf-8")
    at = app().run()
    assert not at.metric and not at.text_input
    assert "cannot be read" in at.error[0].value


def permission_probe(action: str) -> None:
    """A page that changes the workspace the way the Data and Measures pages do."""
    import streamlit as st

    from components.auth import allowed, require_permission, workspace
    from tests.conftest import FIXTURE_TRANSACTIONS, to_arrow

    st.write(f"allowed={allowed(action)}")
    require_permission(action)
    workspace().write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS[:1]), source="probe.csv")
    st.success("written")


def probe(store: UserStore, name: str, action: str = "import") -> AppTest:
    at = AppTest.from_function(permission_probe, args=(action,), default_timeout=60)
    at.query_params["lang"] = "en"
    at.session_state["_auth_session"] = {"name": name, "stamp": store.credential_stamp(name)}
    return at.run()


def test_the_server_refuses_an_import_by_a_viewer(app_env):
    root, users = app_env
    store = add_users(users)
    before = (root / "manifest.json").read_bytes()
    at = probe(store, "vera")
    assert not at.exception
    assert at.markdown[0].value == "allowed=False"
    assert at.error[0].value.startswith("Your role “Viewer” may not do this: import data.")
    assert not at.success
    assert (root / "manifest.json").read_bytes() == before  # nothing was written

    at = probe(store, "alex")
    assert at.markdown[0].value == "allowed=True" and at.success
    entry = json.loads((root / "changes.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert (entry["user"], entry["source"]) == ("alex", "probe.csv")


def test_a_forged_session_for_an_unknown_user_gets_the_login_form(app_env):
    _, users = app_env
    store = add_users(users)
    at = AppTest.from_function(permission_probe, args=("import",), default_timeout=60)
    at.session_state["_auth_session"] = {"name": "mallory", "stamp": store.credential_stamp("anna")}
    at.run()
    assert [t.label for t in at.text_input] == ["Benutzername", "Passwort"] and not at.success


OIDC_SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "id",
             "client_secret": "secret", "server_metadata_url": "https://sso.example.com/.well-known/openid-configuration"},
    "loyalty": {"default_role": "none", "roles": {"admin": ["it@firma.de"], "viewer": ["@firma.de"]}},
}


def test_identity_provider_login_maps_accounts_to_roles(app_env):
    at = app()
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and not at.metric
    assert [b.label for b in at.button] == ["Log in with company account"]

    at.user = {"is_logged_in": True, "email": "IT@firma.de", "name": "IT Team"}
    at.run()
    assert at.metric and "Logged in as **IT Team** (Admin)" in [c.value for c in at.sidebar.caption]

    outsider = app()
    outsider.secrets = OIDC_SECRETS
    outsider.user = {"is_logged_in": True, "email": "eve@elsewhere.com"}
    outsider.run()
    assert not outsider.metric
    assert outsider.error[0].value.startswith("Your account eve@elsewhere.com has no access")
