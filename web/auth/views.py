"""Login and logout for moderators and admins (patients never need an account)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from indexer.audit import Actor, record
from indexer.db.models import User
from web import sessions
from web.auth.accounts import Account, authenticate
from web.auth.forms import LoginForm, PostForm
from web.extensions import get_db, limiter
from web.ratelimit import login_failure_limit

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a local path: never redirect a moderator to another site after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _failed(response: Response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_failure_limit, methods=["POST"], deduct_when=_failed,
               error_message="Too many failed logins from your address; try again later.")
def login() -> Response | str | tuple[str, int]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = _safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(form.next.data) or url_for("moderation.queue"))
    if form.validate_on_submit():
        ip = _client_ip()
        with get_db().session() as s:
            result = authenticate(s, form.username.data or "", form.password.data or "")
            if result.locked_now:
                record(s, Actor(form.username.data or "?"), "login_locked", reason=f"from {ip}")
            s.commit()
            if result.user is not None:
                sessions.begin(Account(result.user.id, result.user.username, result.user.role),
                               result.user.session_version)
                dest = _safe_next(form.next.data)
                if dest is None:
                    dest = url_for("ops.dashboard" if result.user.role == "admin" else "moderation.queue")
                return redirect(dest)
        return render_template("auth/login.html", form=form, error=result.error), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, error=None), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response | tuple[str, int]:
    form = PostForm()
    if not form.validate_on_submit():
        return "Bad request: missing or expired form token.", 400
    with get_db().session() as s:  # every session of this account ends, wherever its cookie was copied
        user = s.get(User, current_user.id)
        if user is not None:
            sessions.end_all(user)
            s.commit()
    sessions.end_this()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
