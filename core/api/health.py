"""``/healthz``: is the instance up and its database reachable (liveness); ``/readyz``:
may it take requests, its schema being this release's (readiness)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text

from campagne.api.deps import InstanceDep
from campagne.api.schemas import Health, Readiness
from campagne.schema_state import schema_state

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Health check",
            responses={503: {"model": Health, "description": "The database does not answer"}})
def healthz(instance: InstanceDep, response: Response) -> Health:
    """``ok`` when the database answers; 503 otherwise."""
    try:
        with instance.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - reported as a status, not a traceback
        response.status_code = 503
        return Health(status="degraded", database="unreachable", regions=sorted(instance.regions))
    return Health(status="ok", database="ok", regions=sorted(instance.regions))


@router.get("/readyz", summary="Readiness check", response_model_by_alias=True,
            responses={503: {"model": Readiness,
                             "description": "The database does not answer, or its schema "
                                            "is not this release's"}})
def readyz(instance: InstanceDep, response: Response) -> Readiness:
    """``ready`` when the database answers and no migration is pending (engine and
    plug-ins) nor unknown; 503 with the reason otherwise."""
    try:
        state = schema_state(instance.engine, instance.plugins)
    except Exception:  # noqa: BLE001 - reported as a status, not a traceback
        response.status_code = 503
        return Readiness(status="not_ready", database="unreachable", schema="not read",
                         detail="the database does not answer")
    if state.is_current:
        return Readiness(status="ready", database="ok", schema="current",
                         detail=state.describe())
    response.status_code = 503
    return Readiness(status="not_ready", database="ok",
                     schema="unknown" if not state.known else "pending",
                     detail=state.describe())
