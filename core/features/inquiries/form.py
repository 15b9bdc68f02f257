"""The fields of a region's inquiry form, in a language, and the checking of what a person
sent through the form or the API. One set of rules for both, so they cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from campagne.config import InquiryForm, RegionConfig, localize
from campagne.i18n import translations
from campagne.i18n_markers import N_
from campagne.taxonomy import SECTORS

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ().\-]{6,30}$")
DEPARTMENT = re.compile(r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$")
STATUSES = (("employee_teleworker", N_("Employee teleworking")),
            ("independent", N_("Independent")), ("founder", N_("Business founder")))
TIMINGS = (("within_6_months", N_("Within six months")), ("within_a_year", N_("Within a year")),
           ("later", N_("Later")), ("not_sure", N_("I am not sure yet")))
HEARD_FROM = (("search_engine", N_("A search engine")), ("social_network", N_("A social network")),
              ("press", N_("The press")), ("word_of_mouth", N_("Word of mouth")),
              ("event", N_("A fair or an event")), ("other", N_("Another way")))
DEFAULT_CONSENT = N_("I agree that the programme's staff keep these answers to reply to my "
                     "inquiry and follow my plans to settle.")
TRUE_VALUES = ("on", "true", "1", "yes")


@dataclass(frozen=True)
class Spec:
    """How a default field is shown and checked: kind, default label, length, autofill."""

    kind: str
    label: str
    max_length: int = 120
    autocomplete: str | None = None
    required: bool = False


DEFAULTS: dict[str, Spec] = {
    "first_name": Spec("text", N_("First name"), 100, "given-name", True),
    "last_name": Spec("text", N_("Last name"), 100, "family-name", True),
    "email": Spec("email", N_("E-mail address"), 200, "email", True),
    "phone": Spec("tel", N_("Phone"), 40, "tel"),
    "origin_area": Spec("text", N_("Region or country"), 120),
    "origin_department": Spec("department", N_("Département (INSEE code, such as 75)"), 3),
    "activity": Spec("text", N_("Your activity"), 300),
    "sector": Spec("choice", N_("Sector")),
    "status": Spec("radio", N_("Status")),
    "timing": Spec("radio", N_("When would you like to move?")),
    "heard_from": Spec("choice", N_("How did you hear about the programme?")),
    "message": Spec("textarea", N_("Your message"), 5000),
    "consent": Spec("boolean", DEFAULT_CONSENT, required=True),
    "keep_application": Spec("boolean", N_(
        "If my inquiry is not followed up, keep it for two years so that the programme may "
        "come back to me.")),
}
GROUPS = ((N_("About you"), ("first_name", "last_name", "email", "phone")),
          (N_("Where you live now"), ("origin_area", "origin_department")),
          (N_("Your work"), ("activity", "sector", "status")),
          (N_("Your plans"), ("timing", "heard_from", "message")))


@dataclass(frozen=True)
class FormField:
    """One field as shown to a person, in their language."""

    name: str
    kind: str
    label: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 120
    autocomplete: str | None = None
    extra: bool = False

    @property
    def input_name(self) -> str:
        """The name of the form input (extra fields are prefixed, so no name can clash)."""
        return f"extra_{self.name}" if self.extra else self.name


@dataclass(frozen=True)
class InquiryFormSpec:
    """Every field of a region's form, in a language."""

    fields: tuple[FormField, ...]
    locale: str

    def by_name(self) -> dict[str, FormField]:
        """The fields by input name."""
        return {field.input_name: field for field in self.fields}

    def group(self, names: tuple[str, ...]) -> list[FormField]:
        """The default fields among ``names``, in that order."""
        found = self.by_name()
        return [found[name] for name in names]

    @property
    def extras(self) -> list[FormField]:
        """The region's own questions."""
        return [field for field in self.fields if field.extra]


def _choices(name: str, form: InquiryForm, locale: str) -> tuple[tuple[str, str], ...]:
    text = translations(locale).gettext
    if name == "sector":
        return tuple((sector.slug, text(sector.label)) for sector in SECTORS)
    if name == "status":
        return tuple((value, text(label)) for value, label in STATUSES)
    if name == "timing":
        return tuple((value, text(label)) for value, label in TIMINGS)
    if name == "heard_from":
        if form.heard_from_choices:
            return tuple((c.value, localize(c.label, locale)) for c in form.heard_from_choices)
        return tuple((value, text(label)) for value, label in HEARD_FROM)
    return ()


def form_spec(config: RegionConfig, locale: str) -> InquiryFormSpec:
    """The fields of ``config``'s inquiry form in ``locale``: defaults, changes, extras."""
    form = config.inquiry_form
    text = translations(locale).gettext
    fields = []
    for name, spec in DEFAULTS.items():
        change = form.fields.get(name)
        label = localize(change.label, locale) if change and change.label else text(spec.label)
        if name == "consent" and form.consent_purpose and not (change and change.label):
            label = localize(form.consent_purpose, locale)
        required = change.required if change and change.required is not None else spec.required
        fields.append(FormField(name, spec.kind, label, required, _choices(name, form, locale),
                                spec.max_length, spec.autocomplete))
    for extra in form.extra_fields:
        choices = tuple((c.value, localize(c.label, locale)) for c in extra.choices)
        fields.append(FormField(extra.key, extra.kind, localize(extra.label, locale),
                                extra.required, choices, 300, extra=True))
    return InquiryFormSpec(tuple(fields), locale)


@dataclass(frozen=True)
class CleanInquiry:
    """What a person sent, checked: default fields, extra answers, consent."""

    values: dict[str, Any]
    answers: dict[str, Any]
    consent_purpose: str


PATTERNS = {
    "email": (EMAIL, N_("Give an e-mail address such as name@example.org.")),
    "tel": (PHONE, N_("Give a phone number made of digits, spaces, +, brackets, dots or "
                      "dashes.")),
    "department": (DEPARTMENT, N_("Give the INSEE code of a département, such as 75.")),
}
Translate = Callable[[str], str]


def _check_box(field: FormField, raw: Any, text: Translate) -> tuple[bool, str | None]:
    """A box is ticked when the browser sends its value (or the API ``true``)."""
    ticked = raw is True or (isinstance(raw, str) and raw.strip().lower() in TRUE_VALUES)
    if field.required and not ticked:
        return ticked, text(N_("Tick this box to send the inquiry."))
    return ticked, None


def _check(field: FormField, raw: Any, text: Translate) -> tuple[Any, str | None]:
    """The cleaned value of one field, or an error message."""
    if field.kind == "boolean":
        return _check_box(field, raw, text)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, text(N_("This field is required.")) if field.required else None
    if not isinstance(raw, str):
        return None, text(N_("This value is not valid."))
    value = raw.strip()
    if len(value) > field.max_length:
        return None, text(N_("This text is too long (%(max)s characters at most).")) % {
            "max": field.max_length}
    if field.choices and value not in {choice for choice, _ in field.choices}:
        return None, text(N_("Choose one of the values offered."))
    if field.kind in PATTERNS:
        pattern, message = PATTERNS[field.kind]
        value = value.upper() if field.kind == "department" else value
        if not pattern.fullmatch(value):
            return None, text(message)
    return value, None


def clean(spec: InquiryFormSpec, raw: Mapping[str, Any]
          ) -> tuple[CleanInquiry | None, dict[str, str]]:
    """Check ``raw`` (values by input name) against the form; the cleaned inquiry, or an
    error message per input name (in the form's language)."""
    text = translations(spec.locale).gettext
    values: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in spec.fields:
        value, error = _check(field, raw.get(field.input_name), text)
        if error:
            errors[field.input_name] = error
        elif field.extra:
            answers[field.name] = value
        else:
            values[field.name] = value
    if errors:
        return None, errors
    consent = next(field for field in spec.fields if field.name == "consent")
    return CleanInquiry(values, answers, consent.label[:300]), {}

