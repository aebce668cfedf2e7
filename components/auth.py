"""The login gate and permission checks for the app.

Which login applies is decided on every run, in this order:
1. "oidc": `.streamlit/secrets.toml` has an `[auth]` section -> Streamlit's built-in login (st.login)
   with an identity provider; the role comes from the allow-lists in `[loyalty.roles]` (else
   `[loyalty] default_role`, "viewer" unless set; "none" refuses unlisted accounts).
2. "local": the user file exists (`$LOYALTY_USERS_FILE`, default `<workspace>/users.json`, managed with
   `python -m loyalty users ...`) -> a login form with name and password.
3. "setup": no login is configured but the server was started for several people (`python -m loyalty
   serve` sets LOYALTY_REQUIRE_LOGIN=1) -> a message that says how to create the first user.
4. "single": a laptop without login -> one user "local" with every permission.

Pages ask `allowed(action)` to show or hide controls and call `require_permission(action)` (or write
through `workspace()`) before they change anything, so the server refuses a forbidden action even if
a request reaches it without the button.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from loyalty import i18n
from loyalty.auth import (
    GuardedWorkspace,
    LoginThrottle,
    User,
    UserError,
    UserStore,
    login_required_by_environment,
    role_for_email,
    users_file,
)

log = logging.getLogger("loyalty.auth")

SESSION_KEY = "_auth_session"  # {"name": ..., "stamp": ...}; no widget uses this key
NOTICE_KEY = "_auth_notice"
FOLDER_RERUN_KEY = "_auth_left_pages_folder_mode"
SINGLE_USER = User(name="local", role="admin", display_name="", source="single")
_THROTTLE = LoginThrottle()
_STORES: dict[str, UserStore] = {}


def _lang() -> str:
    lang = st.session_state.get("f_lang") or st.query_params.get("lang")
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def _t(key: str, **values) -> str:
    return i18n.t(key, _lang(), **values)


def _oidc_config() -> Mapping | None:
    if not st.secrets.load_if_toml_exists():
        return None
    section = st.secrets.get("auth")
    return section if section else None


def _store() -> UserStore:
    from components import data  # late: `python -m components.auth` must not create caches before the server

    path = users_file(data.settings().workspace)
    key = str(path)
    if key not in _STORES:
        _STORES[key] = UserStore(path)
    return _STORES[key]


def login_mode() -> str:
    """"oidc", "local", "setup" or "single" (see the module docstring)."""
    if _oidc_config():
        return "oidc"
    if _store().path.exists():
        return "local"
    if login_required_by_environment():
        return "setup"
    return "single"


def login_gate(pages: Sequence[tuple] = ()) -> User:
    """The signed-in user. Without one, shows the login screen and stops the script run.

    `pages` are app.py's PAGES entries (file, url path, ...): the login screen registers them as hidden
    navigation without running any, so the requested page (a shared link) opens after the login.
    """
    # The page files live in app_pages/, so Streamlit's old pages-folder mode (a `pages/` folder next to
    # app.py is run page by page, without app.py) does not apply; switching it off here is a guard in
    # case such a folder appears. Every page calls this gate (components.context.get_context).
    request = _Request(tuple(pages), folder_mode=bool(PagesManager.uses_pages_directory))
    PagesManager.uses_pages_directory = False
    mode = login_mode()
    if mode == "oidc":
        return _oidc_user(request)
    if mode == "local":
        return _local_user(request)
    if mode == "setup":
        _stop_with(st.info, "auth.setup_needed")
    return SINGLE_USER


@dataclass(frozen=True)
class _Request:
    pages: tuple
    folder_mode: bool  # this run was started in Streamlit's pages-folder mode


def _before_login_screen(request: _Request) -> None:
    """Show a login screen only in a normal run, with the app's pages registered as hidden navigation
    (none runs) so the URL keeps the requested page and it opens after the login."""
    if request.folder_mode and not st.session_state.get(FOLDER_RERUN_KEY):
        # widgets of a pages-folder run get other ids than in the next, normal run: a login typed
        # into this screen would be lost, so render it in a normal run
        st.session_state[FOLDER_RERUN_KEY] = True
        st.rerun()
    if request.pages:
        st.navigation([st.Page(entry[0], url_path=entry[1], default=(index == 0))
                       for index, entry in enumerate(request.pages)], position="hidden")


def current_user() -> User:
    """The user of this session (a page may call it any number of times; it renders nothing once
    someone is signed in)."""
    return login_gate()


def allowed(action: str) -> bool:
    """May the current user do `action` ("view", "download", "import", "edit_measures", "edit_targets",
    "delete_data", "manage_users")? For showing or hiding controls."""
    return current_user().can(action)


def require_permission(action: str) -> User:
    """The current user if they may do `action`; otherwise a clear message and the page stops."""
    user = current_user()
    if not user.can(action):
        log.warning("refused %s for user %s (role %s)", action, user.name, user.role)
        st.error(_t("auth.denied", role=_t(f"auth.role.{user.role}"), action=_t(f"auth.action.{action}")),
                 icon=":material/block:")
        st.stop()
    return user


def workspace() -> GuardedWorkspace:
    """The workspace as the current user may change it: writes are checked and record the user."""
    from components import data

    return GuardedWorkspace(data.workspace(), current_user())


def sidebar_account() -> None:
    """Who is signed in, with a logout button (or the single-user note), at the end of the sidebar."""
    user = current_user()
    sidebar = st.sidebar
    sidebar.divider()
    if user.source == "single":
        sidebar.caption(_t("auth.single_user"))
        return
    sidebar.caption(_t("auth.logged_in_as", name=user.label, role=_t(f"auth.role.{user.role}")))
    if sidebar.button(_t("auth.logout"), key="auth_logout", icon=":material/logout:"):
        logout()


def logout() -> None:
    if login_mode() == "oidc":
        st.logout()  # removes Streamlit's identity cookie and starts a new session
        return
    st.session_state.pop(SESSION_KEY, None)
    st.rerun()


# ------------------------------------------------------------------ local user store
def _local_user(request: _Request) -> User:
    store = _store()
    try:
        has_users = store.has_users()
    except UserError as exc:
        log.error("%s", exc)
        _stop_with(st.error, "auth.users_file_broken")
    if not has_users:
        _stop_with(st.info, "auth.setup_needed")
    session = st.session_state.get(SESSION_KEY)
    if session:
        user = store.get(session["name"])
        if user and store.credential_stamp(user.name) == session["stamp"]:
            return user
        # removed, or password or role changed by an admin: the old session ends
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[NOTICE_KEY] = "auth.session_ended"
    _login_form(store, request)
    raise AssertionError("unreachable: the login form stops the run")


def _login_header() -> None:
    choice = st.segmented_control("Sprache / Language", i18n.LANGUAGES, default=_lang(), key="auth_lang",
                                  format_func=lambda code: {"de": "Deutsch", "en": "English"}[code],
                                  label_visibility="collapsed")
    if choice and choice != st.session_state.get("f_lang"):
        st.session_state["f_lang"] = choice
        st.query_params["lang"] = choice
    st.title(_t("app.name"))
    st.caption(_t("app.tagline"))


def _login_form(store: UserStore, request: _Request) -> None:
    _before_login_screen(request)
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        _login_header()
        st.subheader(_t("auth.login_title"))
        notice = st.session_state.pop(NOTICE_KEY, None)
        if notice:
            st.warning(_t(notice))
        with st.form("auth_login", clear_on_submit=True):
            st.caption(_t("auth.login_intro"))
            name = st.text_input(_t("auth.username"), autocomplete="username", max_chars=64)
            password = st.text_input(_t("auth.password"), type="password", autocomplete="current-password",
                                     max_chars=256)
            submitted = st.form_submit_button(_t("auth.submit"), type="primary", width="stretch")
        if submitted:
            _try_login(store, name.strip(), password)
        st.caption(_t("auth.forgot"))
    st.stop()


def _try_login(store: UserStore, name: str, password: str) -> None:
    if not name or not password:
        st.error(_t("auth.missing_input"))
        return
    wait = _THROTTLE.blocked_for(name)
    if wait > 0:
        st.error(_t("auth.throttled", minutes=max(1, math.ceil(wait / 60))))
        return
    user = store.authenticate(name, password)
    if user is None:
        _THROTTLE.failed(name)
        log.warning("failed login for %r", name)
        st.error(_t("auth.failed"))
        return
    _THROTTLE.succeeded(name)
    log.info("login %s (role %s)", user.name, user.role)
    st.session_state[SESSION_KEY] = {"name": user.name, "stamp": store.credential_stamp(user.name)}
    st.rerun()


# ------------------------------------------------------------------ identity provider (OIDC)
def _providers(config: Mapping) -> list[str | None]:
    named = [key for key, value in config.items() if hasattr(value, "keys") and "client_id" in value]
    return named if named and "client_id" not in config else [None]


def _oidc_user(request: _Request) -> User:
    config = _oidc_config() or {}
    if not st.user.get("is_logged_in"):
        _before_login_screen(request)
        _, middle, _ = st.columns([1, 2, 1])
        with middle:
            _login_header()
            st.subheader(_t("auth.login_title"))
            st.caption(_t("auth.oidc_intro"))
            for provider in _providers(config):
                label = _t("auth.oidc_button_provider", provider=provider) if provider else _t("auth.oidc_button")
                if st.button(label, key=f"auth_oidc_{provider or 'default'}", type="primary", width="stretch"):
                    st.login(provider)  # None: the provider configured directly in [auth]
        st.stop()
    email = str(st.user.get("email") or "").strip().lower()
    if not email:
        _stop_with(st.error, "auth.no_email", logout_button=True)
    settings = st.secrets.get("loyalty", {}) or {}
    try:
        role = role_for_email(email, settings.get("roles", {}), settings.get("default_role", "viewer"))
    except UserError as exc:
        log.error("[loyalty] default_role in secrets: %s", exc)
        _stop_with(st.error, "auth.config_broken", logout_button=True)
    if role is None:
        log.warning("refused login for %s: not on any allow-list", email)
        _stop_with(st.error, "auth.no_access", logout_button=True, email=email)
    return User(name=email, role=role, display_name=str(st.user.get("name") or ""), source="oidc")


def _stop_with(show, key: str, logout_button: bool = False, **values) -> None:
    show(_t(key, **values))
    if logout_button and st.button(_t("auth.logout"), key="auth_logout_refused"):
        st.logout()
    st.stop()


__all__ = ["current_user", "allowed", "require_permission", "workspace", "login_gate", "login_mode",
           "sidebar_account", "logout", "SINGLE_USER"]


def launch(argv: list[str]) -> None:
    """The server process of `python -m loyalty serve`: `streamlit <argv>` with Streamlit's pages/
    folder mode switched off before the first request.

    A `pages/` folder next to app.py would make Streamlit run page files directly for their URL, without
    app.py; the app keeps its pages in app_pages/ for that reason, and this switch is a second guard.
    """
    import sys

    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", *argv]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    import sys

    launch(sys.argv[1:])
