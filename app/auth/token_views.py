"""The user's profile page: personal API tokens (list, create — shown once — and revoke)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired

from app.auth import tokens
from app.auth.views import bp
from app.core.forms import BaseForm, most
from app.core.permissions import Authenticated, requires
from app.core.unit_of_work import attempt


class TokenForm(BaseForm):
    """A new token's name."""

    name = StringField(
        "令牌名称",
        validators=[DataRequired(message="请填写令牌名称"), most(tokens.NAME_MAX)],
        description="例如：市统计平台对接、小程序",
    )


class RevokeForm(BaseForm):
    """Revoke one token (CSRF only)."""


def _page(form: TokenForm, new_secret: str | None = None, general=()):
    return render_template(
        "auth/profile.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=tokens.tokens_of(current_user),
        new_secret=new_secret,
        general=list(general),
    )


@bp.route("/profile", methods=["GET", "POST"])
@requires(Authenticated)
def profile():
    """The profile page; posting the form makes a token and shows it once."""
    form = TokenForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        outcome = attempt(lambda: tokens.create_token(user, form.name.data), form)
        if outcome:
            token, secret = outcome.value
            flash(f"已创建 API 令牌“{token.name}”。令牌只显示这一次，请立即复制保存。", "success")
            return _page(TokenForm(formdata=None), new_secret=secret)
        return _page(form, general=outcome.general)
    return _page(form)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Authenticated)
def revoke_token(token_id: int):
    """Revoke one of one's own tokens; it stops working at once."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    token = tokens.own_token(current_user, token_id)
    if token is None:
        abort(404)
    tokens.revoke_token(token)
    flash(f"已撤销 API 令牌“{token.name}”，使用它的请求将立即被拒绝", "success")
    return redirect(url_for("auth.profile"))
