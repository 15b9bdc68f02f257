"""The typed schema of a region's ``region.yaml``.

Every model forbids unknown keys, so that a misspelt key is an error rather
than a silently ignored setting. Texts shown to the public may be given in
French only (a plain string) or per language (``{fr: ..., en: ...}``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from campagne.taxonomy import SECTORS_BY_SLUG, ServiceCategory

SUPPORTED_LOCALES = ("fr", "en")
SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"


def _as_localized(value: Any) -> Any:
    return {"fr": value} if isinstance(value, str) else value


def _require_french(value: dict[str, str]) -> dict[str, str]:
    if "fr" not in value:
        raise ValueError("a French text ('fr') is required")
    unknown = set(value) - set(SUPPORTED_LOCALES)
    if unknown:
        raise ValueError(f"unsupported language(s): {', '.join(sorted(unknown))}")
    return value


LocalizedText = Annotated[
    dict[str, str], BeforeValidator(_as_localized), AfterValidator(_require_french)
]


def localize(text: dict[str, str] | None, locale: str) -> str:
    """Return ``text`` in ``locale``, falling back to French; empty for ``None``."""
    if not text:
        return ""
    return text.get(locale) or text["fr"]


class StrictModel(BaseModel):
    """Base of every configuration model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(StrictModel):
    """Where a figure comes from: a publication, its date and, if public, its address."""

    title: str = Field(min_length=3)
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    date: str | None = Field(default=None, description="Publication date, ISO 8601 or a year")
    note: LocalizedText | None = Field(
        default=None, description="What the publication gives, in French and English (the "
                                  "title stays as published)")


class SourcedValue(StrictModel):
    """A value that carries its source, or says plainly that it is illustrative."""

    value: int | float
    source: Source | None = None
    illustrative: bool = False
    note: LocalizedText | None = None

    @model_validator(mode="after")
    def _sourced_or_illustrative(self) -> SourcedValue:
        if self.source is None and not self.illustrative:
            raise ValueError("a figure needs a 'source', or 'illustrative: true' when it has none")
        return self


class Figure(SourcedValue):
    """A published key figure of the programme (members, members of a sector...)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: LocalizedText
    unit: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    sector: str | None = Field(default=None, description="Sector group this figure counts")

    @model_validator(mode="after")
    def _known_sector(self) -> Figure:
        if self.sector is not None and self.sector not in SECTORS_BY_SLUG:
            raise ValueError(
                f"unknown sector '{self.sector}'; known: {', '.join(sorted(SECTORS_BY_SLUG))}"
            )
        return self


class Contact(StrictModel):
    """How the public reaches the programme."""

    phone: str | None = None
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: str | None = None


class Programme(StrictModel):
    """The programme a region runs for teleworkers and independents."""

    name: str = Field(min_length=2)
    operator: str = Field(min_length=2)
    launch_year: SourcedValue | None = None
    audience: LocalizedText
    description: LocalizedText
    contact: Contact = Contact()
    website: str | None = Field(default=None, pattern=r"^https?://\S+$")
    promise: LocalizedText | None = Field(default=None, description=(
        "One line under the programme's name at the top of the region's home"))


class Price(StrictModel):
    """What a service costs a member; free unless an amount is given."""

    free: bool = True
    amount: float | None = Field(default=None, ge=0)
    currency: Literal["EUR"] = "EUR"
    per: LocalizedText | None = None
    source: Source | None = None
    illustrative: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Price:
        if not self.free and self.amount is None:
            raise ValueError("a service that is not free needs an 'amount'")
        if self.amount is not None and self.source is None and not self.illustrative:
            raise ValueError("a price needs a 'source', or 'illustrative: true' when it has none")
        return self


class ServiceConfig(StrictModel):
    """A service the programme offers."""

    slug: str = Field(pattern=SLUG_PATTERN)
    category: ServiceCategory
    name: LocalizedText
    description: LocalizedText
    delivered_by: str = Field(min_length=2)
    price: Price = Price()
    eligibility: LocalizedText | None = None
    delivered_at: str | None = Field(
        default=None, pattern=SLUG_PATTERN, max_length=40,
        description="The listing of the places where it is delivered (spaces: the region's "
                    "offices and coworking spaces), asked of the plug-ins through the hook "
                    "delivery_places")


def _refuse_duplicates(label: str, field: str, keys: list[str]) -> None:
    """Raise for the second use of a key; ``at`` (in the error's context) is the path,
    below the list, of the key at fault, so that it can be reported at its own line."""
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in first:
            raise PydanticCustomError(
                "duplicate_key", "{label} '{key}' is given twice",
                {"label": label, "key": key, "at": (index, field), "first": (first[key], field)})
        first[key] = index


def _contrast_ratio(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


#: A file inside the region's ``static/`` folder: no leading dot or slash, no ``..``.
_SEGMENT = r"[A-Za-z0-9_](\.?[A-Za-z0-9_-])*"
STATIC_FILE = rf"^{_SEGMENT}(/{_SEGMENT})*"


def _readable_on_white(colour: str, name: str) -> str:
    ratio = _contrast_ratio(colour, "#ffffff")
    if ratio < 4.5:
        raise ValueError(
            f"{name} {colour} has a contrast of {ratio:.1f}:1 with white "
            "text; at least 4.5:1 is needed (WCAG 2.1 AA)"
        )
    return colour


class HeroImage(StrictModel):
    """The photograph (or illustration) at the top of the region's home, with its credit."""

    file: str = Field(pattern=STATIC_FILE + r"\.(jpe?g|webp|png|svg)$", description=(
        "File name inside the region's static/ (JPEG, WebP, PNG or SVG)"))
    width: int = Field(ge=16, le=10000, description="Width in pixels (no layout shift)")
    height: int = Field(ge=16, le=10000, description="Height in pixels")
    alt: LocalizedText = Field(description="What the image shows, for those who cannot see it")
    credit: str = Field(min_length=2, description="Author of the image, as the licence asks")
    licence: str = Field(min_length=2, description="Licence of the image (CC BY 4.0...)")
    source_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    illustration: bool = Field(default=False, description=(
        "A drawing, not a photograph: the page says so"))

    @field_validator("alt")
    @classmethod
    def _alt_not_empty(cls, alt: dict[str, str]) -> dict[str, str]:
        if not all(text.strip() for text in alt.values()):
            raise ValueError("the alternative text may not be empty")
        return alt


class FontFile(StrictModel):
    """A font served by the instance from the region's ``static/`` (no outside service)."""

    family: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{1,59}$")
    file: str = Field(pattern=STATIC_FILE + r"\.woff2$", description="A WOFF2 file in static/")
    weight: int = Field(default=400, ge=100, le=900, multiple_of=100)
    style: Literal["normal", "italic"] = "normal"
    role: Literal["headings", "body"] = "headings"
    licence: str = Field(min_length=2, description="Licence of the font (SIL OFL 1.1...)")


class Theme(StrictModel):
    """The region's face: colours, logo, home layout, hero image and fonts; colours must
    keep text readable (WCAG AA)."""

    primary_color: str = Field(default="#1d4e89", pattern=r"^#[0-9a-fA-F]{6}$")
    accent_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$", description=(
        "Second colour of the home (calls to action, bands); the primary colour by default"))
    logo: str | None = Field(default=None, description="File name inside the region's static/")
    layout: Literal["overlay", "split"] = Field(default="split", description=(
        "The home's composition: 'overlay' (text over a full-width image) or 'split' "
        "(text beside the image)"))
    hero: HeroImage | None = None
    fonts: list[FontFile] = Field(default=[], max_length=2, description=(
        "At most two font files (headings, body), served by the instance"))

    @field_validator("primary_color")
    @classmethod
    def _readable(cls, colour: str) -> str:
        return _readable_on_white(colour, "primary_color")

    @field_validator("accent_color")
    @classmethod
    def _readable_accent(cls, colour: str | None) -> str | None:
        return None if colour is None else _readable_on_white(colour, "accent_color")

    @field_validator("fonts")
    @classmethod
    def _one_per_role(cls, fonts: list[FontFile]) -> list[FontFile]:
        _refuse_duplicates("font role", "role", [font.role for font in fonts])
        return fonts

    def static_files(self) -> list[tuple[tuple[str | int, ...], str]]:
        """The files of ``static/`` the theme names, each with its key in ``region.yaml``."""
        files: list[tuple[tuple[str | int, ...], str]] = []
        if self.hero is not None:
            files.append((("theme", "hero", "file"), self.hero.file))
        files += [(("theme", "fonts", index, "file"), font.file)
                  for index, font in enumerate(self.fonts)]
        return files


class Testimonial(StrictModel):
    """A member's words on the region's home: shown only with the date of their written
    agreement (``consent``), or when ``illustrative`` says it is invented (demonstration)."""

    quote: LocalizedText
    name: str = Field(min_length=2, max_length=80, description="First name, or full name")
    commune: str = Field(min_length=2, max_length=120)
    consent: dt.date | None = Field(default=None, description=(
        "Date of the member's written agreement to be quoted; without it, not shown"))
    illustrative: bool = Field(default=False, description=(
        "An invented testimonial (demonstration data): the page says so"))

    @model_validator(mode="after")
    def _consent_of_a_real_person(self) -> Testimonial:
        if self.illustrative and self.consent is not None:
            raise ValueError("an illustrative (invented) testimonial has nobody's consent: "
                             "give either 'consent' or 'illustrative', not both")
        return self

    @property
    def shown(self) -> bool:
        """True when the page may show it: agreed to in writing, or invented."""
        return self.consent is not None or self.illustrative


# --- inquiry form (intake) -------------------------------------------------------------
#: The fields of the inquiry form every region has, in the order they are shown.
INQUIRY_DEFAULT_FIELDS = ("first_name", "last_name", "email", "phone", "origin_area",
                          "origin_department", "activity", "sector", "status", "timing",
                          "heard_from", "message", "consent", "keep_application")
#: Fields without which the programme cannot answer, or may not keep the inquiry.
INQUIRY_ALWAYS_REQUIRED = ("first_name", "last_name", "email", "consent")
#: Names the form itself uses, which an extra field may not take.
INQUIRY_RESERVED_KEYS = ("csrf", "website", "answers", "profile", "id", "source", "stage")


class InquiryChoice(StrictModel):
    """One choice of a list on the inquiry form: the value stored and its label."""

    value: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    label: LocalizedText


def _unique_choices(choices: list[InquiryChoice]) -> list[InquiryChoice]:
    _refuse_duplicates("choice", "value", [choice.value for choice in choices])
    return choices


class InquiryFieldSettings(StrictModel):
    """A change to one of the default fields: another label, or required or not."""

    label: LocalizedText | None = None
    required: bool | None = None


class InquiryExtraField(StrictModel):
    """A question of the region's own, whose answer is kept in ``Inquiry.answers``."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: LocalizedText
    kind: Literal["text", "choice", "boolean"] = "text"
    required: bool = False
    choices: list[InquiryChoice] = []

    @field_validator("choices")
    @classmethod
    def _unique(cls, choices: list[InquiryChoice]) -> list[InquiryChoice]:
        return _unique_choices(choices)

    @model_validator(mode="after")
    def _consistent(self) -> InquiryExtraField:
        if self.key in INQUIRY_DEFAULT_FIELDS or self.key in INQUIRY_RESERVED_KEYS:
            raise PydanticCustomError(
                "reserved_key", "key '{key}' is already a field of the form",
                {"key": self.key, "at": ("key",)})
        if self.kind == "choice" and len(self.choices) < 2:
            raise PydanticCustomError("choices", "a 'choice' field needs two 'choices' or more",
                                      {"at": ("kind",)})
        if self.kind != "choice" and self.choices:
            raise PydanticCustomError("choices", "only a 'choice' field takes 'choices'",
                                      {"at": ("choices",)})
        return self


class InquiryForm(StrictModel):
    """The public inquiry form (``/{slug}/candidater``): every key is optional."""

    fields: dict[str, InquiryFieldSettings] = {}
    extra_fields: list[InquiryExtraField] = []
    heard_from_choices: list[InquiryChoice] | None = Field(default=None, min_length=2)
    consent_purpose: LocalizedText | None = None

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, InquiryFieldSettings]
                      ) -> dict[str, InquiryFieldSettings]:
        for name, settings in fields.items():
            if name not in INQUIRY_DEFAULT_FIELDS:
                raise PydanticCustomError(
                    "unknown_field", "unknown form field '{name}'; known: {known}",
                    {"name": name, "known": ", ".join(INQUIRY_DEFAULT_FIELDS), "at": (name,)})
            if settings.required is False and name in INQUIRY_ALWAYS_REQUIRED:
                raise PydanticCustomError(
                    "always_required", "the field '{name}' is always required",
                    {"name": name, "at": (name, "required")})
        return fields

    @field_validator("extra_fields")
    @classmethod
    def _unique_keys(cls, extra: list[InquiryExtraField]) -> list[InquiryExtraField]:
        _refuse_duplicates("extra field key", "key", [field.key for field in extra])
        return extra

    @field_validator("heard_from_choices")
    @classmethod
    def _unique_heard_from(cls, choices: list[InquiryChoice] | None
                           ) -> list[InquiryChoice] | None:
        return None if choices is None else _unique_choices(choices)
# --- pipeline -------------------------------------------------------------------------------
# The stages an inquiry goes through, from first contact to settling (or not), per region.

STAGE_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class PipelineStage(StrictModel):
    """One stage of the pipeline: its key (stored on each inquiry), its label, and whether
    reaching it means the person settled (``settled``) or the inquiry ended (``closed``)."""

    key: str = Field(pattern=STAGE_KEY_PATTERN)
    label: LocalizedText
    settled: bool = False
    closed: bool = False

    @model_validator(mode="after")
    def _not_both(self) -> PipelineStage:
        if self.settled and self.closed:
            raise ValueError("a stage cannot be both 'settled' and 'closed'")
        return self

    @property
    def open(self) -> bool:
        """Inquiries at this stage still need follow-up."""
        return not (self.settled or self.closed)


class Pipeline(StrictModel):
    """The stages of a region's inquiries, in order; the first is where new ones start."""

    stages: list[PipelineStage] = Field(min_length=2)

    @field_validator("stages")
    @classmethod
    def _valid_stages(cls, stages: list[PipelineStage]) -> list[PipelineStage]:
        _refuse_duplicates("stage key", "key", [stage.key for stage in stages])
        settled = [index for index, stage in enumerate(stages) if stage.settled]
        if len(settled) != 1:
            raise PydanticCustomError(
                "settled_stage", "exactly one stage must be marked 'settled: true' "
                "(found {count})", {"count": len(settled),
                                    "at": (settled[1], "settled") if settled else ()})
        if not stages[0].open:
            raise PydanticCustomError(
                "first_stage", "the first stage receives new inquiries: it cannot be "
                "'settled' or 'closed'", {"at": (0, "key")})
        return stages

    @property
    def entry(self) -> PipelineStage:
        """The stage new inquiries start at."""
        return self.stages[0]

    @property
    def settled_stage(self) -> PipelineStage:
        """The one stage that means the person settled."""
        return next(stage for stage in self.stages if stage.settled)

    def stage(self, key: str) -> PipelineStage | None:
        """The stage named ``key``, if configured."""
        return next((stage for stage in self.stages if stage.key == key), None)


def default_pipeline() -> Pipeline:
    """The stages used when ``region.yaml`` has no ``pipeline:`` section."""
    labels = [
        ("new", "Nouvelle demande", "New inquiry"),
        ("contacted", "Contacté", "Contacted"),
        ("discovery_visit", "Visite découverte", "Discovery visit"),
        ("project_under_way", "Projet en cours", "Project under way"),
        ("settled", "Installé", "Settled"),
        ("not_pursued", "Sans suite", "Not pursued"),
    ]
    return Pipeline(stages=[
        PipelineStage(key=key, label={"fr": fr, "en": en}, settled=key == "settled",
                      closed=key == "not_pursued") for key, fr, en in labels])


class RegionNotifications(StrictModel):
    """Which notifications the region's features send (each is on unless switched off)."""

    new_inquiry: bool = Field(default=True, description="Tell the staff of each new inquiry")
    followup_digest: bool = Field(default=True, description=(
        "Send each adviser the follow-ups due, every morning"))
    meetup_reminder: bool = Field(default=True, description=(
        "Remind the people signed up to a meetup the day before"))


class RegionConfig(StrictModel):
    """The whole of ``region.yaml``."""

    slug: str = Field(pattern=SLUG_PATTERN)
    code: str = Field(pattern=r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$",
                      description="INSEE code of the département")
    name: str = Field(min_length=2)
    administrative_region: str = Field(min_length=2)
    population: SourcedValue | None = None
    programme: Programme
    services: list[ServiceConfig] = Field(min_length=1)
    figures: list[Figure] = []
    plugins: dict[str, dict[str, Any] | None] = {}
    disabled_plugins: list[str] = []
    features: dict[str, bool] = Field(default_factory=dict, description=(
        "Built-in features switched on or off (every feature is on unless switched off)"))
    theme: Theme = Theme()
    testimonials: list[Testimonial] = Field(default=[], description=(
        "Members' words for the home; only those with a consent date (or invented, "
        "marked illustrative) are shown"))
    inquiry_form: InquiryForm = InquiryForm()
    pipeline: Pipeline = Field(default_factory=default_pipeline)
    notifications: RegionNotifications = RegionNotifications()

    @field_validator("services")
    @classmethod
    def _unique_service_slugs(cls, services: list[ServiceConfig]) -> list[ServiceConfig]:
        _refuse_duplicates("service slug", "slug", [service.slug for service in services])
        return services

    @field_validator("figures")
    @classmethod
    def _unique_figure_keys(cls, figures: list[Figure]) -> list[Figure]:
        _refuse_duplicates("figure key", "key", [figure.key for figure in figures])
        return figures

    @field_validator("plugins")
    @classmethod
    def _plugin_names(cls, plugins: dict[str, Any]) -> dict[str, Any]:
        for name in plugins:
            if not re.fullmatch(r"[a-z][a-z0-9_.-]*", name):
                raise PydanticCustomError(
                    "plugin_name", "plug-in name '{name}' is not a valid name",
                    {"name": name, "at": (name,)})
        return plugins

    def figure(self, key: str) -> Figure | None:
        """Return the published figure named ``key``, if the region gives one."""
        return next((figure for figure in self.figures if figure.key == key), None)
