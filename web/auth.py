"""Logging employees in and out: OpenID Connect in production, the test identity provider in development.

Production (LOGIN_PROVIDER=oidc): Authlib's OpenID Connect client against the configured provider
(the federal FAS or itsme); the national register number comes from the claim OIDC_NATIONAL_NUMBER_CLAIM
(`egovNRN` for FAS) of the verified ID token or the userinfo endpoint.

Development (LOGIN_PROVIDER=test, the default there, refused in production by web.config.check): a page
where a tester picks a demo person, and `POST /auth/test-login` with the form field `national_number`
for scripts and tests. It is the same provider, without any password: that is why it can never be on
in production.

The session cookie holds the person's national number only sealed (groupinsurance.identity_token with
the audience "web-session"): the cookie is signed by Flask, not encrypted.
"""
from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import select

from groupinsurance import identifiers, identity_token, logins
from groupinsurance.models import Person
from web.errors import api_error
from web.extensions import csrf, database, limiter, login_manager, oauth

bp = Blueprint("auth", __name__, url_prefix="/auth")

WEB_SESSION = "groupinsurance-web-session"
# However active the person is, a login ends after this long (the idle limit is SESSION_LIFETIME_MINUTES).
MAX_LOGIN_SECONDS = 12 * 3600


class LoggedInPerson(UserMixin):
    """Who is logged in: a national register or BIS number, whether or not the insurer knows them."""

    def __init__(self, national_number: str, sealed: str):
        self.national_number = national_number
        self._sealed = sealed

    def get_id(self) -> str:
        return self._sealed

    def __repr__(self) -> str:
        return f"<LoggedInPerson {identifiers.mask(self.national_number)}>"


def _session_key():
    return identity_token.derive_key(current_app.config["SECRET_KEY"])


@login_manager.user_loader
def load_person(sealed: str) -> Optional[LoggedInPerson]:
    try:
        number = identity_token.verify(sealed, _session_key(), audience=WEB_SESSION)
    except identity_token.InvalidToken:
        return None  # expired or from another deployment: logged out
    with database.session() as s:
        if logins.is_ended(s, session.get("login_id")):
            return None  # logged out: this cookie (or a copy of it) no longer counts
    return LoggedInPerson(number, sealed)


def log_in(national_number: str) -> LoggedInPerson:
    number = identifiers.validate(national_number)
    sealed = identity_token.issue(number, _session_key(), audience=WEB_SESSION, ttl=MAX_LOGIN_SECONDS)
    person = LoggedInPerson(number, sealed)
    session.clear()  # nothing from before the login carries over (session fixation)
    session.permanent = True
    login_user(person)
    # The widget compares this with the one it saw last: another value means another login, so it
    # starts a new conversation and forgets the history it kept.
    # It is also what a logout ends on the server (groupinsurance.logins).
    session["login_id"] = logins.new_login_id()
    current_app.logger.info("logged in: %s", identifiers.mask(number))
    return person


def logged_in_number() -> Optional[str]:
    """The logged-in employee's national number, or None."""
    return current_user.national_number if current_user.is_authenticated else None


def identity_token_for_rasa(private: Optional[dict] = None) -> Optional[str]:
    """The short-lived token for the action server, or None when nobody is logged in.

    private: values from the message that travel sealed instead of in the text (IBANs).
    """
    if not current_user.is_authenticated:
        return None
    key = identity_token.derive_key(current_app.config["IDENTITY_TOKEN_SECRET"])
    return identity_token.issue(current_user.national_number, key, private=private or None)


def person_record() -> Optional[Person]:
    """The logged-in person's record in the insurer's data, if there is one."""
    if not current_user.is_authenticated:
        return None
    with database.session() as s:
        return s.execute(select(Person).where(Person.national_number == current_user.national_number)).scalar_one_or_none()


def return_path() -> str:
    """Where a login asked for by the widget comes back to: the page the widget is on (the Referer),
    when that page is on this site; else the portal."""
    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    if referrer.startswith(host + "/"):
        return referrer[len(host):]
    return url_for("pages.portal")


def _safe_next(target: Optional[str]) -> str:
    """Only a path on this site: never an open redirect to somebody else's."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("pages.portal")


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


# --- the routes ---------------------------------------------------------------------------------

@bp.get("/login")
def login():
    next_url = _safe_next(request.args.get("next"))
    if current_app.config["LOGIN_PROVIDER"] == "test":
        return redirect(url_for("auth.test_login", next=next_url, lang=request.args.get("lang")))
    session["login_next"] = next_url
    return oauth.identity_provider.authorize_redirect(url_for("auth.callback", _external=True))


@bp.get("/callback")
def callback():
    if current_app.config["LOGIN_PROVIDER"] != "oidc":
        abort(404)
    token = oauth.identity_provider.authorize_access_token()  # checks state, nonce and the ID token
    claims = token.get("userinfo") or oauth.identity_provider.userinfo(token=token)
    number = national_number_from_claims(claims, current_app.config["OIDC_NATIONAL_NUMBER_CLAIM"])
    if number is None:
        current_app.logger.warning("the identity provider returned no valid national number")
        return render_template("error.html", status=403), 403
    log_in(number)
    return redirect(_safe_next(session.pop("login_next", None)))


def national_number_from_claims(claims, claim: str) -> Optional[str]:
    value = (claims or {}).get(claim)
    if not isinstance(value, str):
        return None
    try:
        return identifiers.validate(value)
    except identifiers.ValidationError:
        return None


@bp.route("/test-login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@csrf.exempt  # test-only, and scripts post here directly; the provider does not exist in production
def test_login():
    if current_app.config["LOGIN_PROVIDER"] != "test":
        abort(404)
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        from groupinsurance.demo_data import DEMO_PERSONS

        with database.session() as s:
            known = set(s.execute(select(Person.national_number)).scalars())
        persons = [
            {"number": p.national_number, "name": f"{p.first_name} {p.last_name}",
             "masked": identifiers.mask(p.national_number), "shows": p.shows}
            for p in DEMO_PERSONS if p.national_number in known
        ]
        return render_template("auth/test_login.html", persons=persons, next_url=next_url)
    raw = request.form.get("national_number", "")
    try:
        number = identifiers.validate(raw)
    except identifiers.ValidationError:
        message = _("That is not a valid national register or BIS number.")
        if _wants_json():
            return api_error(400, "invalid_field", message, "national_number")
        flash(message, "error")
        return redirect(url_for("auth.test_login", next=next_url)), 303
    log_in(number)
    if _wants_json():
        return jsonify(logged_in=True, login_id=session["login_id"])
    return redirect(next_url, 303)


@bp.post("/logout")
@csrf.exempt  # logging someone out is all a forged request could do; scripts post here directly
def logout():
    was_logged_in = current_user.is_authenticated
    if was_logged_in:
        with database.begin() as s:
            logins.end(s, session.get("login_id"))
    logout_user()
    session.clear()
    if was_logged_in:
        current_app.logger.info("logged out")
    if _wants_json():
        return jsonify(logged_in=False)
    return redirect(_safe_next(request.form.get("next")), 303)


def init_app(app) -> None:
    """Binds Flask-Login and, for OpenID Connect, registers the provider with Authlib."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    if app.config["LOGIN_PROVIDER"] == "oidc":
        oauth.init_app(app)
        oauth.register(
            "identity_provider",
            server_metadata_url=app.config["OIDC_METADATA_URL"],
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            client_kwargs={"scope": app.config["OIDC_SCOPE"], "code_challenge_method": "S256"},
        )
