"""``/healthz``: is the instance up and its database reachable."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text

from campagne.api.deps import InstanceDep
from campagne.api.schemas import Health

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
