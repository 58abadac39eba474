"""The bureau's duplicate screens: groups of likely duplicates, and merging two into one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import BaseForm
from app.core.pagination import Page, page_number
from app.core.params import whole_number
from app.core.permissions import IsBureau, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import attempt
from app.projects.duplicates import (
    Member,
    count_duplicate_groups,
    duplicate_groups,
    merge,
    merge_preview,
)
from app.projects.models import Project
from app.projects.stages import STAGES

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates", template_folder="templates")

GROUPS_PER_PAGE = 30


class MergeForm(BaseForm):
    keep = RadioField("保留哪一条", validate_choice=False)
    reason = TextAreaField(
        "合并原因",
        validators=[DataRequired(message="请填写合并原因"), Length(max=500)],
        description="如：北山镇与城关街道重复报送同一投资方，经核实为同一项目，由北山镇跟进",
    )
    a = HiddenField()
    b = HiddenField()


def same_investor(one: Project, other: Project) -> bool:
    """True when the two are duplicates: same USCC or same normalised name (docs/domain.md,
    "Duplicates")."""
    same_code = bool(one.uscc) and one.uscc == other.uscc
    return same_code or one.investor_key == other.investor_key


def group_reason(group: list[Member]) -> str:
    """Why the members of a group were put together, in words."""
    codes = [p.uscc for p in group if p.uscc]
    reasons = []
    if len(codes) != len(set(codes)):
        reasons.append("统一社会信用代码相同")
    if len({p.investor_key for p in group}) < len(group):
        reasons.append("投资方名称规范化后相同")
        if len({p.unit_id for p in group}) == 1:
            reasons.append("同一单位内项目名称相同")
    return "；".join(reasons)


@bp.route("/")
@requires(IsBureau)
def index():
    """The groups of live projects that look like the same investor, paged in SQL."""
    total = count_duplicate_groups()
    pages = max(1, -(-total // GROUPS_PER_PAGE))
    number = min(page_number(request.args.get("page")), pages)
    groups = duplicate_groups((number - 1) * GROUPS_PER_PAGE, GROUPS_PER_PAGE)
    page = Page(
        items=[(g, group_reason(g)) for g in groups],
        total=total,
        page=number,
        per_page=GROUPS_PER_PAGE,
    )
    return render_template("duplicates/index.html", page=page)


def _pair() -> tuple[Project, Project]:
    """The two projects named by ?a=&b= (or the form), live and within scope, or 404."""
    source = request.form if request.method == "POST" else request.args
    a_id, b_id = source.get("a", ""), source.get("b", "")
    if whole_number(a_id) is None or whole_number(b_id) is None or a_id == b_id:
        abort(404)
    return get_or_404(Project, a_id, current_user), get_or_404(Project, b_id, current_user)


@bp.route("/merge", methods=["GET", "POST"])
@requires(IsBureau)
def merge_pair():
    """Compare two likely duplicates; keep one, with a reason; the other's records move."""
    one, other = _pair()
    if not same_investor(one, other):
        flash("这两个项目的统一社会信用代码和投资方名称都不相同，不是疑似重复，不能合并", "danger")
        return redirect(url_for("duplicates.index"))
    form = MergeForm(a=str(one.id), b=str(other.id))
    form.keep.choices = [(str(one.id), one.name), (str(other.id), other.name)]
    general = []
    if form.validate_on_submit():
        if form.keep.data not in (str(one.id), str(other.id)):
            form.keep.errors = [*form.keep.errors, "请选择保留哪一条记录"]
        else:
            keep, gone = (one, other) if form.keep.data == str(one.id) else (other, one)
            outcome = attempt(lambda: merge(keep, gone, form.reason.data, current_user), form)
            if outcome:
                flash(
                    f"已将“{gone.name}”（{gone.unit.name}）合并到“{keep.name}”"
                    f"（{keep.unit.name}），移动记录 {outcome.value} 条",
                    "success",
                )
                return redirect(url_for("projects.detail", project_id=keep.id))
            general = outcome.general
    elif request.method == "POST" and not form.keep.data:
        form.keep.errors = [*form.keep.errors, "请选择保留哪一条记录"]
    return render_template(
        "duplicates/merge.html",
        form=form,
        general=general,
        pair=(one, other),
        previews={one.id: merge_preview(one, other), other.id: merge_preview(other, one)},
        milestones=[s for s in STAGES if s.date_field],
    )
