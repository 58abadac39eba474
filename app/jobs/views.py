"""The job pages: my jobs, one job with its progress (an htmx panel that refreshes itself while
the job runs), its result file, and running a failed job again."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_login import current_user

from app.core import lists
from app.core.db import reads_only
from app.core.permissions import Authenticated, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import attempt
from app.jobs import lists as job_lists
from app.jobs import services
from app.jobs.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs", template_folder="templates")


def own_job(job_id: int) -> Job:
    """The user's own job, else 404 (another user's job, even in the same unit, is not found)."""
    job = get_or_404(Job, job_id, current_user)
    if job.user_id != current_user.id:
        abort(404)
    return job


@bp.route("/")
@requires(Authenticated)
def index():
    """The jobs I started, newest first."""
    return render_template("jobs/index.html", listing=lists.show(job_lists.MY_JOBS, current_user))


@bp.route("/<int:job_id>")
@reads_only
@requires(Authenticated)
def detail(job_id: int):
    """One job: progress while it runs, then its result or why it failed."""
    job = own_job(job_id)
    return render_template("jobs/detail.html", job=job, state=services.state(job))


@bp.route("/<int:job_id>/panel")
@reads_only
@requires(Authenticated)
def panel(job_id: int):
    """The job's progress panel alone (htmx polls it while the job runs)."""
    job = own_job(job_id)
    return render_template("jobs/_panel.html", job=job, state=services.state(job))


@bp.route("/<int:job_id>/file")
@requires(Authenticated)
def result_file(job_id: int):
    """The file a finished job wrote (an export, an error report)."""
    job = own_job(job_id)
    if not job.result_file:
        abort(404)
    path = services.results_dir() / job.result_file
    if not path.is_file():
        abort(410, description="结果文件已被清理，请重新运行该任务")
    return send_file(path, as_attachment=True, download_name=job.result_name or path.name)


@bp.route("/<int:job_id>/retry", methods=["POST"])
@requires(Authenticated)
def retry(job_id: int):
    """Run a failed or interrupted job again with the same parameters."""
    job = own_job(job_id)
    outcome = attempt(lambda: services.retry(job, current_user))
    if not outcome:
        return render_template("jobs/detail.html", job=job, state=services.state(job),
                               general=outcome.general), 409  # fmt: skip
    return redirect(url_for("jobs.detail", job_id=outcome.value.id))
