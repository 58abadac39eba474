"""Login, logout, the idle timeout and the user's own password."""

from __future__ import annotations

import secrets
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from app.auth import services, throttle
from app.auth.forms import ChangePasswordForm, LoginForm
from app.auth.models import User
from app.core import history, kept_work, security_log
from app.core.forms import safe_next
from app.core.permissions import Authenticated, public, requires
from app.core.scoping import district_wide
from app.core.unit_of_work import attempt
from app.core.web import client_ip, error_response, wants_json
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")

# Endpoints a user who must change the password may still reach.
_ALLOWED_BEFORE_PASSWORD_CHANGE = {"auth.change_password", "auth.logout", "static", "main.health"}


def init_app(app) -> None:
    """Flask-Login set-up and the per-request checks of the logged-in user."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        user_id, _, session_token = token.partition(":")
        if not user_id.isdigit() or not session_token:
            return None
        # District-wide: scoping this read would ask who is logged in, and so load the user a
        # second time from inside the first load (two queries on every page).
        with district_wide("loading the logged-in user"):
            user = db.session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        if not secrets.compare_digest(user.session_token, session_token):
            return None
        return user

    app.before_request(_expire_idle_session)
    app.before_request(_name_actor)
    app.register_error_handler(RateLimitExceeded, _too_many_attempts)


def _expire_idle_session():
    """Log out a session idle for longer than SESSION_IDLE_MINUTES."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    last_seen = session.get("last_seen", 0)
    if now - last_seen > idle:
        user = current_user._get_current_object()
        security_log.record(db.session, "session_expired", user=user, ip=client_ip())
        logout_user()
        session.clear()
        kept = kept_work.answer_expired_post(owner_id=user.id)  # a form: its values come back
        if kept is not None:
            return kept
        if wants_json():
            return error_response(401, kept_work.SIGN_IN_MESSAGE)
        flash("长时间未操作，已自动退出，请重新登录", "warning")
        return redirect(
            url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        )
    session["last_seen"] = now
    return None


def _name_actor():
    """Every change in this request is made by the logged-in user (for the history)."""
    history.set_actor(db.session, current_user._get_current_object())  # anonymous: nobody


def must_change_password_gate():
    """Send a user who must change the password to that page first."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _ALLOWED_BEFORE_PASSWORD_CHANGE
    ):
        flash("首次登录或密码已被重置，请先修改密码", "warning")
        return redirect(url_for("auth.change_password"))
    return None


def _login_page(form: LoginForm, error: str | None):
    return render_template(
        "auth/login.html",
        form=form,
        error=error,
        lockout_threshold=current_app.config["LOCKOUT_THRESHOLD"],
        lockout_minutes=current_app.config["LOCKOUT_MINUTES"],
    )


@bp.route("/login", methods=["GET", "POST"])
@public
@throttle.limit_login
def login():
    """The login page. Failures never say whether the username exists (nor that it is locked).

    Posted from the sign-in-again page, it carries a kept form (app.core.kept_work): after
    signing in, the user confirms the kept values instead of going to the home page.
    """
    kept_blob = request.form.get("kept") if request.method == "POST" else None
    if current_user.is_authenticated:
        kept = kept_work.load(kept_blob)  # signed in meanwhile in another tab
        if kept is not None and kept_work.belongs_to(kept, current_user):
            return kept_work.confirm_page(kept)
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data, client_ip())
        if result.user is None:
            throttle.note_failure()
            error = result.message  # answered 200: the failure count and log entry are kept
        else:
            session.clear()
            login_user(result.user)
            session["last_seen"] = int(time.time())
            return _after_login(kept_work.load(kept_blob), result.user)
    if kept_blob:
        username = form.username.data or ""
        return kept_work.sign_in_page(kept_blob, error, username)
    return _login_page(form, error)


def _after_login(kept, user):
    """The kept form to confirm, if it is this user's; else where the user was going."""
    if kept is not None and not kept_work.belongs_to(kept, user):
        flash("上次填写的内容属于其他用户的会话，已丢弃", "warning")
    elif kept is not None and not user.must_change_password:
        return kept_work.confirm_page(kept)
    return redirect(safe_next(request.args.get("next")) or url_for("main.home"))


@bp.route("/session/keepalive", methods=["POST"])
@requires(Authenticated)
def keep_alive():
    """Extend the session (the idle clock was reset by this very request); say for how long."""
    return jsonify({"idle_seconds": current_app.config["SESSION_IDLE_MINUTES"] * 60})


def _too_many_attempts(error: RateLimitExceeded):
    """429 with Retry-After: the login page again with the wait, or the JSON error shape."""
    wait = throttle.seconds_to_wait()
    message = throttle.refusal_message(wait)
    if request.endpoint == "auth.login":
        throttle.log_breach(error)
    if wants_json() or request.endpoint != "auth.login":
        response = current_app.make_response(error_response(429, message))
    else:
        response = current_app.make_response((_login_page(LoginForm(), message), 429))
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/logout", methods=["POST"])
@requires(Authenticated)
def logout():
    """Log out and invalidate every copy of the session cookie."""
    services.logout(current_user._get_current_object(), client_ip())
    logout_user()
    session.clear()
    flash("已安全退出", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Authenticated)
def change_password():
    """Change one's own password (required at first login)."""
    form = ChangePasswordForm()
    general = []
    if form.validate_on_submit():
        user = current_user._get_current_object()
        outcome = attempt(
            lambda: services.change_password(
                user, form.current_password.data, form.new_password.data, client_ip()
            ),
            form,
        )
        if outcome:
            login_user(user)  # the token rotated: carry this session over to the new one
            session["last_seen"] = int(time.time())
            flash("密码已修改", "success")
            return redirect(url_for("main.home"))
        general = outcome.general
    return render_template("auth/change_password.html", form=form, general=general)
