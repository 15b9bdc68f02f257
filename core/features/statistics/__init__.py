"""Open statistics: each region's figures, the network's and the regions compared.

The feature's package computes and serves the published figures: the engine that computes a
region's statistics for a period (:mod:`.engine`), their CSV rows (:mod:`.tabular`), the
regions side by side (:mod:`.compare`), ``/api/v1/regions/{slug}/stats`` and the schema
(:mod:`.api`), ``/api/v1/network/compare`` (:mod:`.api_network`) and ``/comparer``
(:mod:`.pages`, ``templates/compare.html``). The hub (:mod:`campagne.hub`) draws the same
comparison from harvested figures, so it imports :mod:`.compare`, :mod:`.pages`,
:mod:`.api_network` and the caching helpers of :mod:`.api`, and searches ``templates/``.

The building blocks that others share stay in :mod:`campagne.stats`: the published model
(:mod:`campagne.stats.schema`), periods, disclosure control and the operations' indicators,
which the hooks ``operations_figures`` and ``extra_indicators``, the features' figures, the
toolkit and the hub use without this package. Nothing there imports this package.

Modules with routes are imported inside the hooks.
"""

from __future__ import annotations

from pathlib import Path

from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_types import Routes

FEATURE = Feature("statistics", switchable=False)
TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def app_routes() -> list[Routes]:
    """The statistics API and the ``/comparer`` page."""
    from campagne.features.statistics import api, api_network, pages

    return [Routes(api.router, order=102), Routes(api_network.router, order=103),
            Routes(pages.router, order=413)]


@hookimpl
def site_template_dirs() -> list[Path]:
    """The regions compared (``compare.html``)."""
    return [TEMPLATES]
