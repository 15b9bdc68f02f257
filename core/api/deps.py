"""Dependencies shared by the API routers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from sqlmodel import Session

from campagne.api.catalogue import ServiceCatalogue
from campagne.instance import Instance
from campagne.regions import RegionFolder

# ``get_instance`` and ``get_region`` are ``async`` because they only read memory: FastAPI
# runs a plain ``def`` dependency in a worker thread, and the hand-over to that thread and
# back costs more than the lookup (see bench/README.md).


async def get_instance(request: Request) -> Instance:
    """The instance this application serves."""
    instance: Instance = request.app.state.instance
    return instance


InstanceDep = Annotated[Instance, Depends(get_instance)]


def get_session(instance: InstanceDep) -> Iterator[Session]:
    """A database session for the duration of one request."""
    with Session(instance.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_region(
    instance: InstanceDep,
    slug: Annotated[str, Path(description="The region's URL name", examples=["gers"])],
) -> RegionFolder:
    """The region named in the path, or a 404 with a JSON message."""
    folder = instance.region(slug)
    if folder is None:
        raise HTTPException(status_code=404, detail=f"Unknown region '{slug}'")
    return folder


RegionDep = Annotated[RegionFolder, Depends(get_region)]


async def get_catalogue(request: Request) -> ServiceCatalogue:
    """The application's service catalogue (read once per region: see ServiceCatalogue)."""
    catalogue: ServiceCatalogue = request.app.state.catalogue
    return catalogue


CatalogueDep = Annotated[ServiceCatalogue, Depends(get_catalogue)]
