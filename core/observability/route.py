"""``/metrics``: the Prometheus exposition, for the addresses and token the settings allow
(loopback only by default; a caller refused gets the 404 any unknown address gets)."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from campagne.api.deps import InstanceDep
from campagne.api.security import client_address
from campagne.settings import CampagneSettings

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request, instance: InstanceDep) -> Response:
    """The metrics of this process, in Prometheus's text format."""
    if not allowed(instance.settings, client_address(request),
                   request.headers.get("authorization")):
        raise HTTPException(status_code=404)
    exposition = generate_latest(request.app.state.metrics.registry)
    return Response(exposition, media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def allowed(settings: CampagneSettings, address: str | None,
            authorization: str | None) -> bool:
    """Whether ``address`` is in ``metrics_allow`` and, when ``metrics_token`` is set,
    ``authorization`` is ``Bearer <token>``."""
    if address is None:
        return False
    try:
        caller = ipaddress.ip_address(address)
    except ValueError:
        return False
    if not any(caller in ipaddress.ip_network(network, strict=False)
               for network in settings.metrics_allow):
        return False
    if settings.metrics_token is None:
        return True
    expected = f"Bearer {settings.metrics_token}".encode()
    return hmac.compare_digest((authorization or "").encode(), expected)
