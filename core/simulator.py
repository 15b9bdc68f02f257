"""The move simulator: run a candidate profile over one or more regions and add up what
each offers. Nothing is stored: the profile lives for one request.

A plug-in that fails is left out of its region's result and named in ``failed_plugins``,
so that the page and the API can say so; it never turns into an error.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from campagne.instance import Instance
from campagne.plugin_types import CandidateProfile, Incentive


class SimulatedIncentive(Incentive):
    """One incentive of a region's result, with the plug-in that gave it."""

    plugin: str


class RegionSimulation(BaseModel):
    """What one region offers a profile, and the yearly estimate by plug-in."""

    slug: str
    name: str
    programme: str
    incentives: list[SimulatedIncentive]
    yearly_total_eur: float = Field(description="Sum of the eligible incentives' yearly values")
    yearly_by_plugin_eur: dict[str, float]
    yearly_hours_saved: float | None
    yearly_co2_kg_saved: float | None
    includes_illustrative: bool = Field(description="The total uses illustrative figures")
    failed_plugins: list[str] = Field(description="Plug-ins left out because they failed")


class Simulation(BaseModel):
    """The result for a profile: one entry per region, in the order asked."""

    profile: CandidateProfile
    regions: list[RegionSimulation]


def _sum(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(sum(present), 2) if present else None


def simulate_region(instance: Instance, slug: str, profile: CandidateProfile) -> RegionSimulation:
    """The incentives of region ``slug`` for ``profile``, eligible ones first."""
    folder = instance.regions[slug]
    result = instance.plugins.incentives(folder.info(), profile)
    incentives = [SimulatedIncentive(plugin=plugin, **incentive.model_dump())
                  for plugin, incentive in result.incentives]
    incentives.sort(key=lambda i: (not i.eligible, i.category or "", i.plugin, i.key))
    eligible = [i for i in incentives if i.eligible]
    valued = [i for i in eligible if i.yearly_value_eur is not None]
    by_plugin: dict[str, float] = {}
    for incentive in valued:
        by_plugin[incentive.plugin] = round(
            by_plugin.get(incentive.plugin, 0) + (incentive.yearly_value_eur or 0), 2)
    return RegionSimulation(
        slug=slug, name=folder.config.name, programme=folder.config.programme.name,
        incentives=incentives,
        yearly_total_eur=round(sum(by_plugin.values()), 2),
        yearly_by_plugin_eur=by_plugin,
        yearly_hours_saved=_sum([i.yearly_hours_saved for i in eligible]),
        yearly_co2_kg_saved=_sum([i.yearly_co2_kg_saved for i in eligible]),
        includes_illustrative=any(i.illustrative for i in valued),
        failed_plugins=result.failed_plugins,
    )


def simulate(instance: Instance, profile: CandidateProfile,
             regions: list[str] | None = None) -> Simulation:
    """``profile`` over ``regions`` (every region served when ``None``), side by side.

    :raises KeyError: for a region this instance does not serve.
    """
    slugs = regions if regions else sorted(instance.regions)
    unknown = [slug for slug in slugs if slug not in instance.regions]
    if unknown:
        raise KeyError(unknown[0])
    unique = list(dict.fromkeys(slugs))
    return Simulation(profile=profile,
                      regions=[simulate_region(instance, slug, profile) for slug in unique])


def comparison_rows(simulation: Simulation
                    ) -> list[tuple[str, dict[str, str], list[float | None]]]:
    """Rows of a side-by-side table: each valued plug-in, the title of its first valued
    incentive, and its yearly value in each region."""
    titles: dict[str, dict[str, str]] = {}
    for region in simulation.regions:
        for incentive in region.incentives:
            if incentive.plugin in region.yearly_by_plugin_eur:
                titles.setdefault(incentive.plugin, incentive.title)
    return [(plugin, titles[plugin],
             [region.yearly_by_plugin_eur.get(plugin) for region in simulation.regions])
            for plugin in sorted(titles)]
