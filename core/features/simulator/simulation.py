"""The move simulator: run a candidate profile over one or more regions and add up what
each offers. Nothing is stored: the profile lives for one request.

A plug-in that fails is left out of its region's result and named in ``failed_plugins``,
so that the page and the API can say so; it never turns into an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from campagne.features.simulator.origin import StartingPoint
from campagne.instance import Instance
from campagne.plugin_types import CandidateProfile, Incentive, ProfileField, ProfileValue
from campagne.profile_fields import check_values

#: The profile fields plug-ins declare, by region slug.
FieldsByRegion = dict[str, list[ProfileField]]


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
    origin: StartingPoint | None = Field(
        default=None, description="Where the candidate lives now, from the commune or the "
                                  "département given")


def _sum(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(sum(present), 2) if present else None


def region_fields(instance: Instance, slugs: list[str]) -> FieldsByRegion:
    """The profile fields the plug-ins of each region in ``slugs`` declare."""
    return {slug: [profile_field for _, profile_field in instance.plugins.profile_fields(
        instance.regions[slug].info())] for slug in dict.fromkeys(slugs)}


def check_extra(raw: Mapping[str, Any], fields: FieldsByRegion
                ) -> tuple[dict[str, ProfileValue], dict[str, str]]:
    """The plug-in fields' values among ``raw``, checked against every region of ``fields``
    that declares them, and an error message per key at fault (other keys are not looked
    at: see :func:`campagne.profile_fields.undeclared`)."""
    values: dict[str, ProfileValue] = {}
    errors: dict[str, str] = {}
    for declared in fields.values():
        found, wrong = check_values(declared, raw)
        values.update(found)
        for key, message in wrong.items():
            errors.setdefault(key, message)
    return values, errors


def simulate_region(instance: Instance, slug: str, profile: CandidateProfile,
                    fields: list[ProfileField] | None = None) -> RegionSimulation:
    """The incentives of region ``slug`` for ``profile``, eligible ones first. The plug-ins
    see only the values of the profile fields the region declares (``fields``, asked of
    the plug-ins when not given)."""
    folder = instance.regions[slug]
    declared = fields if fields is not None else region_fields(instance, [slug])[slug]
    keys = {profile_field.key for profile_field in declared}
    own = {key: value for key, value in profile.extra.items() if key in keys}
    if own != profile.extra:
        profile = profile.model_copy(update={"extra": own})
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


def chosen_regions(instance: Instance, regions: list[str] | None) -> list[str]:
    """The slugs of ``regions`` (every region served when ``None`` or empty), each once.

    :raises KeyError: for a region this instance does not serve.
    """
    slugs = regions if regions else sorted(instance.regions)
    unknown = [slug for slug in slugs if slug not in instance.regions]
    if unknown:
        raise KeyError(unknown[0])
    return list(dict.fromkeys(slugs))


def simulate(instance: Instance, profile: CandidateProfile,
             regions: list[str] | None = None, fields: FieldsByRegion | None = None,
             origin: StartingPoint | None = None) -> Simulation:
    """``profile`` over ``regions`` (every region served when ``None``), side by side;
    ``fields`` are the regions' profile fields when already asked of the plug-ins;
    ``origin`` the starting point the profile's département comes from.

    :raises KeyError: for a region this instance does not serve.
    """
    unique = chosen_regions(instance, regions)
    fields = fields or {}
    return Simulation(profile=profile, origin=origin, regions=[
        simulate_region(instance, slug, profile, fields.get(slug)) for slug in unique])


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
