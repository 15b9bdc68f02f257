"""The staff pipeline of inquiries: stages, assignment, conversion into members."""

from __future__ import annotations

from campagne.api import inquiry_pipeline
from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_types import Routes
from campagne.web import pipeline_pages

FEATURE = Feature("pipeline", requires=("inquiries",))


@hookimpl
def app_routes() -> list[Routes]:
    """The pipeline's API and staff pages."""
    return [Routes(inquiry_pipeline.router, order=119), Routes(pipeline_pages.router, order=409)]
