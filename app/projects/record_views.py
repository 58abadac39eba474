"""Actions on one project: milestones, corrections, drop and restore, contacts, follow-ups."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import lists, phones, security_log
from app.core.forms import read_wan, safe_next
from app.core.permissions import IsBureau, ReadsBusinessData, WritesBusinessData, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import attempt
from app.core.web import client_ip
from app.extensions import db
from app.projects import access, contacts, services
from app.projects import lists as project_lists
from app.projects.forms import AdvanceForm, ContactForm, CorrectForm, DropForm, FollowUpForm
from app.projects.models import Project, ProjectContact
from app.projects.stages import BY_KEY
from app.projects.views import bp, render_detail
from app.reports import closing


def _editable(project_id: int) -> Project:
    project = get_or_404(Project, project_id, current_user)
    if not access.can_edit(current_user, project):
        abort(403)
    return project


def _back(project: Project):
    return redirect(
        safe_next(request.args.get("next")) or url_for("projects.detail", project_id=project.id)
    )


@bp.route("/<int:project_id>/advance/<stage_key>", methods=["GET", "POST"])
@requires(WritesBusinessData)
def advance(project_id: int, stage_key: str):
    """Move a project forward to a stage with the data that stage needs."""
    project = _editable(project_id)
    stage = BY_KEY.get(stage_key)
    if stage is None or not stage.manual:
        abort(404)
    form = AdvanceForm()
    form.on.label.text = f"{stage.label}日期"
    general = []

    def problems() -> dict[str, str]:  # every problem at once, the form's and the service's
        amount_errors: dict[str, str] = {}
        contract = read_wan(form.contract_wan, amount_errors) if stage.key == "signed" else None
        found = services.advance_problems(project, stage.key, form.on.data,
                                          contract_wan=contract, code=form.uscc.data,
                                          reason=form.reason.data)  # fmt: skip
        return {**found, **amount_errors}

    if form.validate_all(problems):

        def advance_project():
            contract = read_wan(form.contract_wan) if stage.key == "signed" else None
            services.advance(
                project,
                stage.key,
                form.on.data,
                current_user,
                contract_wan=contract,
                code=form.uscc.data,
                reason=form.reason.data,
            )

        outcome = attempt(advance_project, form)
        if outcome:
            flash(f"“{project.name}”已推进到{stage.label}", "success")
            return _back(project)
        general = outcome.general
    return render_template(
        "projects/advance.html",
        form=form,
        project=project,
        stage=stage,
        general=general or form.general,
        latest_close=closing.latest_close(),
    )


@bp.route("/<int:project_id>/correct", methods=["GET", "POST"])
@requires(IsBureau)
def correct(project_id: int):
    """The bureau corrects or clears a milestone date, with a reason."""
    project = get_or_404(Project, project_id, current_user)
    form = CorrectForm(version=project.version)
    general = []
    if form.validate_on_submit():
        outcome = attempt(
            lambda: services.correct_milestone(
                project,
                form.field.data,
                form.on.data,
                form.reason.data,
                current_user,
                request.form.get("version"),
            ),
            form,
        )
        if outcome:
            flash("里程碑已更正，原因已记入历史", "success")
            return _back(project)
        general = outcome.general
        form.version.data = db.session.get(Project, project_id).version
    return render_template("projects/correct.html", form=form, project=project, general=general)


@bp.route("/<int:project_id>/drop", methods=["GET", "POST"])
@requires(WritesBusinessData)
def drop(project_id: int):
    """Mark a project as dropped (终止/流失) with the date and the reason."""
    project = _editable(project_id)
    form = DropForm()
    general = []
    if form.validate_on_submit():
        outcome = attempt(
            lambda: services.drop_project(project, form.on.data, form.reason.data, current_user),
            form,
        )
        if outcome:
            flash("项目已终止，保留在历史和签约批次统计中", "success")
            return _back(project)
        general = outcome.general
    return render_template("projects/drop.html", form=form, project=project, general=general)


@bp.route("/<int:project_id>/restore", methods=["POST"])
@requires(WritesBusinessData)
def restore(project_id: int):
    """Bring a dropped project back."""
    project = _editable(project_id)
    services.restore_project(project, current_user)
    flash("项目已恢复", "success")
    return _back(project)


def _contact_data(form: ContactForm) -> contacts.ContactData:
    return contacts.ContactData(
        name=form.name.data or "",
        title=form.title.data,
        phone=form.phone.data,
        email=form.email.data,
    )


@bp.route("/<int:project_id>/contacts/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def contact_new(project_id: int):
    """Add a contact person."""
    return _contact_form(_editable(project_id), None)


@bp.route("/<int:project_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@requires(WritesBusinessData)
def contact_edit(project_id: int, contact_id: int):
    """Correct a contact person."""
    project = _editable(project_id)
    contact = get_or_404(ProjectContact, contact_id, current_user)
    if contact.project_id != project.id:
        abort(404)
    return _contact_form(project, contact)


def _contact_form(project: Project, contact: ProjectContact | None):
    form = ContactForm(obj=contact)
    if request.method == "GET" and contact is not None:
        form.phone.data = phones.display(contact.phone)
    general = []
    if form.validate_on_submit():
        if contact is None:
            outcome = attempt(
                lambda: contacts.add_contact(project, _contact_data(form), current_user), form
            )
        else:
            outcome = attempt(
                lambda: contacts.update_contact(contact, _contact_data(form), current_user), form
            )
        if outcome:
            flash("联系人已保存", "success")
            return redirect(url_for("projects.detail", project_id=project.id) + "#contacts")
        general = outcome.general
    return render_template(
        "projects/contact_form.html", form=form, project=project, contact=contact, general=general
    )


@bp.route("/<int:project_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@requires(WritesBusinessData)
def contact_delete(project_id: int, contact_id: int):
    """Remove a contact (kept in the history)."""
    project = _editable(project_id)
    contact = get_or_404(ProjectContact, contact_id, current_user)
    if contact.project_id != project.id:
        abort(404)
    contacts.remove_contact(contact, current_user)
    flash("联系人已删除", "success")
    return redirect(url_for("projects.detail", project_id=project.id) + "#contacts")


@bp.route("/<int:project_id>/contacts/<int:contact_id>/reveal", methods=["POST"])
@requires(ReadsBusinessData)
def contact_reveal(project_id: int, contact_id: int):
    """Show one full phone number to someone who sees it masked; the reveal is logged."""
    project = get_or_404(Project, project_id, current_user)
    contact = get_or_404(ProjectContact, contact_id, current_user)
    if contact.project_id != project.id:
        abort(404)
    security_log.record(
        db.session,
        "reveal_phone",
        user=current_user,
        ip=client_ip(),
        project_id=project.id,
        contact_id=contact.id,
    )
    return render_template("projects/_phone.html", phone=phones.display(contact.phone))


@bp.route("/<int:project_id>/follow-ups", methods=["POST"])
@requires(WritesBusinessData)
def follow_up_new(project_id: int):
    """Record a follow-up on the project page."""
    project = _editable(project_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        data = contacts.FollowUpData(
            happened_on=form.happened_on.data,
            kind=form.kind.data,
            summary=form.summary.data,
            next_step=form.next_step.data,
            next_due_on=form.next_due_on.data,
        )
        if attempt(
            lambda: contacts.add_follow_up(
                project, data, current_user, submission_id=form.submission_id.data
            ),
            form,
        ):
            flash("跟进记录已保存", "success")
            return redirect(url_for("projects.detail", project_id=project.id) + "#follow-ups")
    return render_detail(project, follow_up_form=form)


@bp.route("/follow-ups/due")
@requires(WritesBusinessData)
def due():
    """My follow-ups whose next step is due today or earlier."""
    listing = lists.show(project_lists.DUE, current_user)
    return render_template("projects/due.html", listing=listing)
