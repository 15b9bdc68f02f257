"""``/admin/jobs``: the scheduled jobs, their schedules and their last runs, for
administrators (what ``campagne jobs`` prints)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from campagne.api.deps import InstanceDep
from campagne.jobs.registry import registered_jobs
from campagne.jobs.runner import last_runs
from campagne.jobs.schedule import next_slot
from campagne.models import utc_now
from campagne.web.admin_pages import AdminPageDep
from campagne.web.pages import RendererDep
from campagne.web.sessions import SIGNED_IN_PAGE

admin = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[SIGNED_IN_PAGE])


@admin.get("/jobs", response_class=HTMLResponse)
def admin_jobs(request: Request, instance: InstanceDep, renderer: RendererDep,
               _admin: AdminPageDep) -> HTMLResponse:
    """Each job with its schedule, next due time and last run."""
    jobs = registered_jobs(instance)
    latest = last_runs(instance, [job.name for job in jobs])
    now = utc_now()
    rows = [{"job": job, "run": latest.get(job.name),
             "next": None if job.switched_off else next_slot(job.schedule, now)}
            for job in jobs]
    return renderer.render(request, "account/jobs.html", {"rows": rows}, page="admin")
