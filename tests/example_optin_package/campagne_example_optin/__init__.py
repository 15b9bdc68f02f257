"""An example opt-in plug-in package: a housing grant, only in the regions that list it.

Installed, it runs nowhere until a region names it in its ``region.yaml``, with its
settings::

    plugins:
      example_optin:
        grant_eur: 3000
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from campagne import hookimpl
from campagne.plugin_types import CandidateProfile, Incentive

#: Active only in the regions that list the package under ``plugins:``.
OPT_IN = True


class Settings(BaseModel):
    """Settings of the example opt-in plug-in; every one has a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    grant_eur: float = Field(default=2000, ge=0, description="One-off grant (illustrative)")


@hookimpl
def incentives_for_profile(settings: Settings, profile: CandidateProfile) -> list[Incentive]:
    """A grant to buy a home in the region; renters are told why not."""
    eligible = profile.housing_kind == "buy"
    return [Incentive(
        key="example-housing-grant",
        title={"fr": "Aide à l'achat d'un logement", "en": "Home purchase grant"},
        eligible=eligible,
        reasons=({"fr": "Pour un achat, pas une location.",
                  "en": "For a purchase, not a rent."},),
        yearly_value_eur=settings.grant_eur if eligible else None,
        illustrative=True,
    )]
