"""An example plug-in package: a relocation bonus, as an incentive, in every region.

A region may change the amount in its ``region.yaml``::

    plugins:
      example_incentive:
        bonus_eur: 500

or turn the plug-in off with ``disabled_plugins: [example_incentive]``.

It also keeps data of its own: a bonus granted to each member who settles (table
``example_incentive_claim``, migrations in ``migrations/``), listed on the page
``/{region}/plugins/example_incentive/``. A claim names a member, so the plug-in declares
``PERSONAL_DATA`` and takes part in a person's data export and erasure.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from campagne.toolkit import (
    CandidateProfile,
    Commands,
    Incentive,
    MemberEvent,
    PluginData,
    PluginStore,
    RegionInfo,
    format_money,
    hookimpl,
    render_page,
)

from .claims import BonusClaim

TABLES = [BonusClaim]
MIGRATIONS = Path(__file__).with_name("migrations")
PERSONAL_DATA = True


class Settings(BaseModel):
    """Settings of the example plug-in; every one has a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    bonus_eur: float = Field(default=1000, ge=0, description="One-off bonus (illustrative)")


@hookimpl
def incentives_for_profile(region: RegionInfo, settings: Settings,
                           profile: CandidateProfile) -> list[Incentive]:
    """A bonus for founders who move to the region; others are told why not."""
    eligible = profile.status == "founder"
    return [Incentive(
        key="example-relocation-bonus",
        title={"fr": f"Prime d'installation ({region.name})",
               "en": f"Relocation bonus ({region.name})"},
        eligible=eligible,
        reasons=({"fr": "Pour les créateurs d'entreprise.", "en": "For business founders."},),
        yearly_value_eur=settings.bonus_eur if eligible else None,
        illustrative=True,
    )]


@hookimpl
def register_api_routes(region: RegionInfo, settings: Settings) -> APIRouter:
    """``GET .../plugins/example_incentive/bonus``: the bonus offered in the region."""
    router = APIRouter()

    @router.get("/bonus")
    def bonus() -> dict[str, object]:
        return {"region": region.slug, "bonus_eur": settings.bonus_eur}

    return router


@hookimpl
def on_member_event(settings: Settings, event: MemberEvent, store: PluginStore) -> None:
    """A member who settles is granted the bonus (once)."""
    if event.kind != "settled":
        return
    with store.open() as data:
        if data.count(BonusClaim, BonusClaim.member_id == event.member_id):
            return
        data.add(BonusClaim(member_id=event.member_id, amount_eur=settings.bonus_eur,
                            granted_on=event.occurred_at.date()))


@hookimpl
def register_pages(region: RegionInfo, store: PluginStore) -> APIRouter:
    """``/{region}/plugins/example_incentive/``: the bonuses granted in the region."""
    router = APIRouter()

    @router.get("/")
    def claims(request: Request) -> Response:
        with store.open() as data:
            rows = data.rows(BonusClaim, order_by=BonusClaim.granted_on)
        return render_page(request, region, "example_incentive/claims.html",
                           {"claims": rows}, page="example_incentive")

    return router


@hookimpl
def template_dirs() -> list[Path]:
    """The templates of the plug-in's page."""
    return [Path(__file__).with_name("templates")]


@hookimpl
def export_member_data(data: PluginData, member_id: int) -> list[dict[str, object]]:
    """The bonuses granted to the person."""
    return [{"amount_eur": claim.amount_eur, "granted_on": claim.granted_on.isoformat()}
            for claim in data.rows(BonusClaim, BonusClaim.member_id == member_id)]


@hookimpl
def erase_member_data(data: PluginData, member_id: int) -> None:
    """Forget the bonuses granted to the person."""
    data.delete_where(BonusClaim, BonusClaim.member_id == member_id)


def _add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("example-bonus", help="show the example's default bonus")
    command.add_argument("--lang", choices=("fr", "en"), default="fr")


def _run(args: argparse.Namespace) -> int:
    amount = format_money(Settings().bonus_eur, locale=args.lang)
    print(f"{amount} (illustrative)" if args.lang == "en" else f"{amount} (illustratif)")
    return 0


@hookimpl
def cli_commands() -> list[Commands]:
    """``campagne example-bonus``: the bonus a region gets without settings of its own."""
    return [Commands(names=("example-bonus",), add_parsers=_add_parsers, run=_run)]
