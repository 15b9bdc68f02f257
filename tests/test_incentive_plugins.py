"""The shared and regional incentive plug-ins, each against figures computed by hand,
and their monotonic behaviour (hypothesis): a longer commute never saves less, a higher
housing budget never buys less."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campagne.config import RegionConfig, SourcedValue
from campagne.incentive_figures import reference_figures
from campagne.plugin_types import CandidateProfile, Incentive, RegionInfo
from campagne.plugins import business_support, commute, grants, housing, workspace
from campagne.regions import load_region_folders
from campagne.testing import minimal_region

# The Paris-based independent IT consultant of the simulator's acceptance example.
CONSULTANT = CandidateProfile(origin_department="75", status="independent",
                              sector="it_internet_ecommerce", commute_minutes_one_way=45,
                              commute_mode="public_transport", commute_days_per_week=5)
ILLUSTRATIVE = {"illustrative": True}


def _one(incentives: list[Incentive]) -> Incentive:
    assert len(incentives) == 1
    return incentives[0]


def _region(**overrides: Any) -> RegionInfo:
    config = RegionConfig.model_validate(minimal_region("lot", "46", **overrides))
    return RegionInfo(slug="lot", code="46", name="Lot", config=config)


def _commute(profile: CandidateProfile) -> Incentive:
    return _one(commute.incentives_for_profile(settings=commute.Settings(), profile=profile))


# -- commute ---------------------------------------------------------------------------

def test_commute_of_the_paris_consultant_by_hand() -> None:
    incentive = _commute(CONSULTANT)
    # 5 days × 47 weeks = 235 days; 2 × 45 min × 235 = 352.5 hours.
    assert incentive.yearly_hours_saved == 352.5
    # 12 months of Navigo at €88.80 (IDFM 2025), paid in full by an independent.
    assert incentive.yearly_value_eur == 1065.60
    # 45 min at 20 km/h = 15 km; 2 × 15 × 235 = 7,050 km × 0.006 kg/km = 42.3 kg.
    assert incentive.yearly_co2_kg_saved == 42.3
    assert incentive.eligible and not incentive.illustrative
    titles = [source.title for source in incentive.sources]
    assert any("Navigo" in title for title in titles)
    assert incentive.source is not None and "L3141-3" in incentive.source.title


def test_employees_save_half_of_the_pass_their_employer_pays_the_rest() -> None:
    employee = CONSULTANT.model_copy(update={"status": "employee_teleworker"})
    incentive = _commute(employee)
    assert incentive.yearly_value_eur == 532.80  # 1,065.60 × (1 − 50 %)
    assert any("L3261-2" in source.title for source in incentive.sources)


def test_car_commute_follows_the_bareme_kilometrique() -> None:
    driver = CandidateProfile(commute_mode="car", commute_km_one_way=20,
                              commute_minutes_one_way=30, commute_days_per_week=5)
    incentive = _commute(driver)
    # 2 × 20 km × 235 days = 9,400 km: 9,400 × 0.357 + 1,395 = €4,750.80.
    assert incentive.yearly_value_eur == 4750.80
    assert incentive.yearly_co2_kg_saved == 2049.2  # 9,400 × 0.218
    assert incentive.yearly_hours_saved == 235.0  # 2 × 30 min × 235
    short = CandidateProfile(commute_mode="car", commute_km_one_way=10, commute_days_per_week=2)
    # 2 × 10 km × 94 days = 1,880 km: first bracket, 1,880 × 0.636.
    assert _commute(short).yearly_value_eur == 1195.68


def test_no_commute_is_not_eligible_and_says_why() -> None:
    incentive = _commute(CandidateProfile())
    assert not incentive.eligible and incentive.yearly_value_eur is None
    assert "commute" in incentive.reasons[0]["en"]


def test_unknown_origins_use_illustrative_figures() -> None:
    incentive = _commute(CONSULTANT.model_copy(update={"origin_department": "23"}))
    assert incentive.illustrative and incentive.yearly_value_eur == 600.0  # 12 × €50


def test_every_reference_figure_is_sourced_or_illustrative() -> None:
    figures = reference_figures()
    assert figures.working_weeks.source and figures.car_cost_scale.source.date
    paris = figures.origins["75"].transit_pass_month_eur
    assert paris.source and paris.source.date == "2025" and not paris.illustrative
    assert {"75", "69", "33", "31", "44", "59"} <= set(figures.origins)


@given(minutes=st.floats(0, 300), extra=st.floats(0, 300), days=st.integers(0, 7),
       mode=st.sampled_from(["car", "public_transport", "bike", "walk"]),
       status=st.sampled_from(["employee_teleworker", "independent", "founder"]))
def test_a_longer_commute_never_saves_less(minutes: float, extra: float, days: int, mode: str,
                                           status: str) -> None:
    base = CandidateProfile(commute_minutes_one_way=minutes, commute_days_per_week=days,
                            commute_mode=mode, status=status, origin_department="75")
    longer = base.model_copy(update={"commute_minutes_one_way": min(minutes + extra, 300)})
    _no_less(_commute(base), _commute(longer))


@given(km=st.floats(0.1, 500), extra=st.floats(0, 500), days=st.integers(1, 7),
       mode=st.sampled_from(["car", "public_transport", "bike", "walk"]))
def test_a_longer_distance_never_saves_less(km: float, extra: float, days: int,
                                            mode: str) -> None:
    base = CandidateProfile(commute_km_one_way=km, commute_days_per_week=days, commute_mode=mode)
    longer = base.model_copy(update={"commute_km_one_way": min(km + extra, 500)})
    _no_less(_commute(base), _commute(longer))


def _no_less(short: Incentive, long: Incentive) -> None:
    for field in ("yearly_value_eur", "yearly_hours_saved", "yearly_co2_kg_saved"):
        assert (getattr(long, field) or 0) >= (getattr(short, field) or 0), field


# -- housing ---------------------------------------------------------------------------

HOUSING = housing.Settings(price_per_m2_eur=SourcedValue(value=1600, **ILLUSTRATIVE),
                           rent_per_m2_eur=SourcedValue(value=9, **ILLUSTRATIVE))


def _housing(profile: CandidateProfile) -> Incentive:
    return _one(housing.incentives_for_profile(region=_region(), settings=HOUSING,
                                               profile=profile))


def test_a_purchase_budget_compares_surfaces() -> None:
    incentive = _housing(CONSULTANT.model_copy(update={"housing_budget_eur": 300_000}))
    # 300,000 / 9,500 €/m² (Paris) ≈ 32 m²; 300,000 / 1,600 €/m² = 187.5 ≈ 188 m².
    assert "32 m²" in incentive.reasons[0]["en"] and "188 m²" in incentive.reasons[0]["en"]
    assert incentive.eligible and incentive.yearly_value_eur is None and incentive.illustrative
    # Paris is an order of magnitude: its note is shown with the estimate.
    notes = [a["en"] for a in incentive.assumptions if a["en"].startswith("Illustrative figure")]
    assert any("Paris" in note for note in notes)


def test_a_rent_saves_the_difference_for_the_same_surface() -> None:
    renter = CONSULTANT.model_copy(update={"housing_budget_eur": 1200, "housing_kind": "rent"})
    # €1,200 rents 40 m² in Paris at €30; 40 m² at €9 is €360: (1,200 − 360) × 12 = €10,080.
    assert _housing(renter).yearly_value_eur == 10_080.0


def test_no_budget_is_not_eligible() -> None:
    assert not _housing(CONSULTANT).eligible


@given(budget=st.floats(1, 5_000_000), extra=st.floats(0, 5_000_000),
       origin=st.sampled_from([None, "75", "69", "33", "31", "44", "59", "23"]))
def test_a_higher_budget_never_buys_or_saves_less(budget: float, extra: float,
                                                   origin: str | None) -> None:
    figures, _ = reference_figures().origin(origin)
    for there, here in ((figures.price_per_m2_eur.value, 1600.0),
                        (figures.rent_per_m2_eur.value, 9.0)):
        small, large = housing.surfaces(budget, there, here), housing.surfaces(
            budget + extra, there, here)
        assert large[0] >= small[0] and large[1] >= small[1]
        assert (housing.yearly_rent_saving(budget + extra, there, here)
                >= housing.yearly_rent_saving(budget, there, here))


# -- workspace, business support, grants -------------------------------------------------

def test_workspace_values_the_cheaper_desk_days() -> None:
    settings = workspace.Settings(reference_day_price_eur=SourcedValue(value=15, **ILLUSTRATIVE),
                                  member_day_price_eur=SourcedValue(value=10, **ILLUSTRATIVE),
                                  spaces=["Boitron"])
    incentive = _one(workspace.incentives_for_profile(settings=settings, profile=CONSULTANT))
    assert incentive.yearly_value_eur == 1175.0  # (15 − 10) × 5 days × 47 weeks
    assert incentive.illustrative
    two_days = settings.model_copy(update={"days_per_week": 2})
    assert _one(workspace.incentives_for_profile(settings=two_days, profile=CONSULTANT)
                ).yearly_value_eur == 470.0  # 5 × 2 × 47


def test_business_support_is_valued_where_the_region_gives_a_value() -> None:
    services = [{"slug": "bp", "category": "business_plan", "name": "Business plan",
                 "description": "Aide", "delivered_by": "CCI d'essai"},
                {"slug": "droit", "category": "legal_admin_advice", "name": "Conseil",
                 "description": "Conseil", "delivered_by": "CCI d'essai"}]
    region = _region(services=services)
    settings = business_support.Settings(values={"business_plan": SourcedValue(value=600,
                                                                               **ILLUSTRATIVE)})
    found = {i.key: i for i in business_support.incentives_for_profile(
        region=region, settings=settings, profile=CONSULTANT)}
    assert found["support-bp"].yearly_value_eur == 600 and found["support-bp"].illustrative
    assert found["support-droit"].eligible and found["support-droit"].yearly_value_eur is None
    employee = CONSULTANT.model_copy(update={"status": "employee_teleworker"})
    for incentive in business_support.incentives_for_profile(region=region, settings=settings,
                                                             profile=employee):
        assert not incentive.eligible and incentive.yearly_value_eur is None


def test_grants_check_status_and_deadline() -> None:
    grant = grants.Grant(key="bonus", title="Prime", conditions="Pour les créateurs",
                         amount_eur=SourcedValue(value=2000, **ILLUSTRATIVE),
                         statuses=["founder"], deadline=dt.date(2030, 6, 30))
    founder = CONSULTANT.model_copy(update={"status": "founder"})
    before, after = dt.date(2030, 1, 1), dt.date(2030, 7, 1)
    assert grants.grant_incentive(grant, founder, before).yearly_value_eur == 2000
    late = grants.grant_incentive(grant, founder, after)
    assert not late.eligible and late.yearly_value_eur is None
    assert not grants.grant_incentive(grant, CONSULTANT, before).eligible


def test_reference_regions_figures_are_illustrative_and_say_so(
        reference_paths: list[Any]) -> None:
    for folder in load_region_folders(reference_paths):
        settings = folder.config.plugins["housing"] or {}
        for key in ("price_per_m2_eur", "rent_per_m2_eur"):
            value = SourcedValue.model_validate(settings[key])
            assert value.source or (value.illustrative and value.note)


@pytest.mark.parametrize("status", ["employee_teleworker", "independent", "founder"])
def test_soho_solo_package_is_listed_for_every_status(status: str,
                                                      reference_paths: list[Any]) -> None:
    gers = next(f for f in load_region_folders(reference_paths) if f.slug == "gers")
    module = importlib.import_module("campagne.reference_regions.gers.plugins.soho_solo")
    incentive = _one(module.incentives_for_profile(
        region=gers.info(), profile=CONSULTANT.model_copy(update={"status": status})))
    assert incentive.eligible and incentive.yearly_value_eur is None
    assert "52" in incentive.reasons[0]["en"] and incentive.source
