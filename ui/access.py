"""Who is signed in, and what they may see: the one place the dashboard decides access.

Identity comes from, in this order:
1. the test hook ``st.session_state["_test_user"]`` (an e-mail; ``""`` = signed out), honoured
   ONLY when the environment variable ``REFORM_TEST_AUTH=1`` is set: AppTest cannot run a real
   OpenID Connect flow. Never set it on a server (SECURITY.md);
2. ``st.user`` when ``[auth]`` is configured in .streamlit/secrets.toml (``st.login``);
3. otherwise the local demo mode: everything visible, under a "Chế độ trình diễn" banner.

Roles are rows of ``user_role`` (``python -m data_access role``). Leaders and office staff see
everything; a ``unit`` account sees its own unit and the units below it (a district's communes)
in detail and only the public ranking of the others.

Cached loaders (st.cache_data) are shared by every session, so they never filter by user:
pages load through the cache and filter AFTER it, with the pure helpers below.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_access.roles import RoleRow, get_role, normalise_email
from texts import t
from texts.safe import html, tm

log = logging.getLogger(__name__)

TEST_AUTH_ENV = "REFORM_TEST_AUTH"
TEST_USER_KEY = "_test_user"
ACCESS_KEY = "_access"
ROLE_TTL = 30  # seconds: a revoked role stops working within half a minute

DEMO, SIGNED_IN, SIGNED_OUT = "demo", "signed_in", "signed_out"
FULL_ROLES = frozenset({"leader", "office"})


@dataclass(frozen=True)
class Identity:
    """Who is at the keyboard, before the database is asked anything."""

    mode: str  # DEMO, SIGNED_IN or SIGNED_OUT
    email: str | None = None
    # False when the identity provider says the e-mail is not verified (``email_verified``): such
    # an address may belong to anyone, so it gets no role.
    email_verified: bool = True


@dataclass(frozen=True)
class Access:
    """What this session may see. ``detail_units`` None means every unit."""

    mode: str
    email: str | None = None
    role: str | None = None
    unit_code: str | None = None
    detail_units: frozenset[str] | None = frozenset()

    @property
    def is_demo(self) -> bool:
        return self.mode == DEMO

    @property
    def allowed(self) -> bool:
        """May the dashboard be shown at all (demo, or a signed-in user with a role)."""
        return self.mode == DEMO or self.role is not None

    @property
    def sees_all(self) -> bool:
        return self.allowed and self.detail_units is None

    def may_see_detail(self, unit_code: object) -> bool:
        """Unit page, lagging detail, overdue dossiers and their download for ``unit_code``."""
        if not self.allowed:
            return False
        if self.detail_units is None:
            return True
        return str(unit_code) in self.detail_units


DEMO_ACCESS = Access(DEMO, detail_units=None)
# What a page sees if it somehow runs without setup(): nothing in detail (fail closed).
NO_ACCESS = Access(SIGNED_IN)


# --- pure helpers -------------------------------------------------------------------------------


def email_verified(claim: object) -> bool:
    """The OpenID Connect ``email_verified`` claim: absent (the provider does not send it) counts
    as verified; present, only a true value does (some providers send the string "true")."""
    if claim is None:
        return True
    if isinstance(claim, bool):
        return claim
    return str(claim).strip().lower() == "true"


def hook_enabled(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get(TEST_AUTH_ENV, "").strip() == "1"


def auth_configured(secrets: Mapping | None) -> bool:
    """``[auth]`` with at least one setting in secrets.toml means sign-in is required."""
    if not secrets:
        return False
    try:
        section = secrets.get("auth")
    except Exception:  # noqa: BLE001 - an unreadable secrets file: treated as not configured
        return False
    return isinstance(section, Mapping) and len(section) > 0


def _lineage_closure(unit_code: str, lineage: pd.DataFrame | None) -> set[str]:
    """``unit_code`` with every unit it came from and every unit its work went to, through
    the lineage rows (any number of steps in each direction, never sideways: a district's
    account sees the new communes it became, a new commune's account its predecessors, not
    the other predecessors' other successors)."""
    out = {unit_code}
    if lineage is None or lineage.empty:
        return out
    old, new = lineage["old_code"].astype(str), lineage["new_code"].astype(str)
    for src, dst in ((old, new), (new, old)):  # forward, then backward
        nxt: dict[str, list[str]] = {}
        for a, b in zip(src, dst, strict=True):
            nxt.setdefault(a, []).append(b)
        todo = [unit_code]
        while todo:
            for c in nxt.get(todo.pop(), []):
                if c not in out:
                    out.add(c)
                    todo.append(c)
    return out


def unit_scope(unit_code: str, units: pd.DataFrame, lineage: pd.DataFrame | None = None) -> frozenset[str]:
    """``unit_code`` and every unit below it (a district's communes), from ``service.units``;
    with ``lineage``, also the units it became and came from across reorganisations (an account
    of a merged department sees its successor; a new commune's, its predecessors' history)."""
    roots = _lineage_closure(unit_code, lineage)
    if units is None or units.empty:
        return frozenset(roots)
    children: dict[str, list[str]] = {}
    for code, parent in zip(units["code"].astype(str), units["parent_code"], strict=False):
        if parent is not None and not pd.isna(parent):
            children.setdefault(str(parent), []).append(code)
    # the unit's own tree: the units below it; a unit of its lineage is seen, not its tree
    seen = set(roots)
    todo = [unit_code]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in seen:  # guards against a cycle in bad reference data
                seen.add(c)
                todo.append(c)
    return frozenset(seen)


def resolve(ident: Identity, role: RoleRow | None, units: pd.DataFrame | None,
            lineage: pd.DataFrame | None = None) -> Access:
    """The access of a signed-in identity with its role row (None: no role)."""
    if ident.mode == DEMO:
        return DEMO_ACCESS
    if ident.mode != SIGNED_IN or role is None or not ident.email_verified:
        return Access(ident.mode, email=ident.email)
    if role.role in FULL_ROLES:
        return Access(SIGNED_IN, ident.email, role.role, None, None)
    if role.role == "unit" and role.unit_code:
        scope = unit_scope(str(role.unit_code), units if units is not None else pd.DataFrame(), lineage)
        return Access(SIGNED_IN, ident.email, role.role, str(role.unit_code), scope)
    return Access(SIGNED_IN, email=ident.email)  # an unknown role grants nothing


def filter_detail(df: pd.DataFrame, access: Access, column: str = "unit_code") -> pd.DataFrame:
    """Only the rows about units ``access`` may see in detail (all rows for leaders)."""
    if access.sees_all or df is None:
        return df
    if column not in df:
        return df.iloc[0:0]  # nothing to filter by: show nothing rather than everything
    return df[df[column].astype(str).isin(access.detail_units or frozenset())]


# --- Streamlit side -----------------------------------------------------------------------------


def _secrets() -> Mapping | None:
    try:
        return st.secrets.to_dict() if st.secrets.load_if_toml_exists() else None
    except Exception:  # noqa: BLE001 - a broken secrets.toml must not crash the app
        log.warning("secrets.toml not readable")
        return None


def identity() -> Identity:
    """Who is signed in (see the module docstring for the order of sources)."""
    if hook_enabled() and TEST_USER_KEY in st.session_state:
        raw = st.session_state[TEST_USER_KEY]
        return Identity(SIGNED_IN, str(raw)) if raw else Identity(SIGNED_OUT)
    if auth_configured(_secrets()):
        try:
            logged_in = bool(st.user.get("is_logged_in", False))
        except Exception:  # noqa: BLE001 - no user info means not signed in
            logged_in = False
        if not logged_in:
            return Identity(SIGNED_OUT)
        email = st.user.get("email")
        verified = email_verified(st.user.get("email_verified"))
        return Identity(SIGNED_IN, str(email) if email else None, verified)
    return Identity(DEMO)


@st.cache_data(ttl=ROLE_TTL, show_spinner=False)
def load_role(url: str, email: str) -> RoleRow | None:
    """The role row; keyed by e-mail, so sharing the cache between sessions is harmless.

    Database errors propagate (st.cache_data does not cache exceptions), so an outage is never
    remembered as "no role".
    """
    from ui.data import engine_for

    with engine_for(url).connect() as conn:
        return get_role(conn, email)


def _sign_out() -> None:
    if hook_enabled() and TEST_USER_KEY in st.session_state:
        st.session_state[TEST_USER_KEY] = ""
        return
    st.logout()


def _sign_in() -> None:
    try:
        st.login()
    except Exception as exc:  # noqa: BLE001 - e.g. Authlib missing: explained, not a traceback
        log.warning("st.login failed: %s", exc)
        st.session_state["_login_failed"] = True


def sign_in_screen() -> None:
    """Signed out: the reason, one button, nothing else."""
    st.title(t("ui.app.title"))
    st.subheader(t("ui.access.sign_in_title"))
    st.info(t("ui.access.sign_in_prompt"))
    failed = st.session_state.pop("_login_failed", False)
    if failed or (not hook_enabled() and importlib.util.find_spec("authlib") is None):
        # st.login needs Authlib; say so here rather than fail on the click.
        st.error(t("ui.access.auth_unavailable"))
    st.button(t("ui.access.sign_in_button"), on_click=_sign_in, type="primary", key="_sign_in")
    st.stop()


def gate_identity(presenting: bool = False) -> Identity:
    """First step of every run, before the database is touched: stop unless signed in.

    Demo mode is said on every page: a banner, or on the projector a small badge in the corner
    (the room sees the scorecard; the presenter still sees that sign-in is off)."""
    ident = identity()
    if ident.mode == SIGNED_OUT:
        st.session_state[ACCESS_KEY] = NO_ACCESS
        sign_in_screen()
    if ident.mode == DEMO:
        if presenting:
            st.html(f'<div class="demo-badge" title="{html(t("ui.access.demo_badge_help"))}">'
                    f'{html(t("ui.access.demo_badge"))}</div>')
        else:
            with st.container(key="demo_banner"):
                st.warning(t("ui.access.demo_banner"), icon=":material/visibility:")
    return ident


def gate_access(url: str, ident: Identity, units: pd.DataFrame | None,
                lineage: pd.DataFrame | None = None) -> Access:
    """Second step, once the database answers: the role; stop with a message when there is none."""
    if ident.mode == DEMO:
        acc = DEMO_ACCESS
    else:
        email = normalise_email(ident.email)
        # an unverified address is not looked up at all: its role row is someone else's
        role = load_role(url, email) if email and ident.email_verified else None
        acc = resolve(Identity(SIGNED_IN, email, ident.email_verified), role, units, lineage)
    st.session_state[ACCESS_KEY] = acc
    if not acc.allowed:
        st.title(t("ui.app.title"))
        if ident.email is None or normalise_email(ident.email) is None:
            st.warning(t("ui.access.no_email"))
        elif not ident.email_verified:
            st.warning(tm("ui.access.unverified_email", email=str(ident.email)[:254]))
        else:
            st.warning(tm("ui.access.no_role", email=str(ident.email)[:254]))
        st.button(t("ui.access.sign_out"), on_click=_sign_out, key="_sign_out_denied")
        st.stop()
    if not acc.is_demo:
        with st.sidebar:
            role_text = tm(f"ui.access.role.{acc.role}", unit=unit_label(acc.unit_code, units))
            st.caption(f"{tm('ui.access.signed_in_as', email=acc.email)}  \n{role_text}")
            st.button(t("ui.access.sign_out"), on_click=_sign_out, key="_sign_out")
    return acc


def unit_label(code: str | None, units: pd.DataFrame | None) -> str:
    if code is None:
        return ""
    if units is not None and not units.empty:
        hit = units[units["code"].astype(str) == str(code)]
        if not hit.empty:
            return str(hit.iloc[0]["name"])
    return str(code)


def current() -> Access:
    """This session's access as set by page.setup (fail closed if it was not)."""
    acc = st.session_state.get(ACCESS_KEY)
    return acc if isinstance(acc, Access) else NO_ACCESS


def require_detail(unit_code: object) -> bool:
    """True when the user may see ``unit_code`` in detail; otherwise say so (and return False)."""
    if current().may_see_detail(unit_code):
        return True
    st.info(tm("ui.access.denied_unit", value=str(unit_code)[:20]))
    return False
