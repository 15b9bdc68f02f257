"""``POST /api/v1/regions/{slug}/inquiries``: someone thinking of moving writes to a region's
programme. Public: it answers the new inquiry's id and a status message, never what was sent."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from campagne.api.deps import InstanceDep, RegionDep, SessionDep
from campagne.api.security import client_address
from campagne.features.inquiries import actions
from campagne.features.inquiries.consents import questions, unknown_keys
from campagne.features.inquiries.form import clean, form_spec
from campagne.features.inquiries.intake import SimulatorProfile
from campagne.features.inquiries.rate_limit import explain, limited
from campagne.i18n import current_locale, gettext
from campagne.input_types import Flag, InputModel
from campagne.operations.models import InquirySource

router = APIRouter(prefix="/api/v1/regions/{slug}/inquiries", tags=["inquiries"])
Short = str | None
# A region asks a few questions of its own (region.yaml: inquiry_form.extra_fields), whose
# keys have 40 characters at most; unknown ones are named, a few of them only.
MAX_ANSWERS = 100  # as many as the page form takes fields (pages.MAX_FIELDS)
KEY_LENGTH = 40
UNKNOWN_SHOWN = 5


class InquiryIn(InputModel):
    """An inquiry. Which fields are required, and the ``answers`` to the region's own
    questions, follow the region's form (``GET /{slug}/candidater`` shows it)."""

    model_config = ConfigDict(extra="forbid")
    first_name: Short = Field(default=None, examples=["Camille"])
    last_name: Short = Field(default=None, examples=["Martin"])
    email: Short = Field(default=None, examples=["camille.martin@example.org"])
    phone: Short = None
    origin_area: Short = Field(default=None, examples=["Île-de-France"])
    origin_department: Short = Field(default=None, examples=["75"])
    activity: Short = None
    sector: Short = Field(default=None, examples=["it_internet_ecommerce"])
    status: Short = Field(default=None, examples=["independent"])
    timing: Short = Field(default=None, examples=["within_a_year"])
    heard_from: Short = None
    message: Short = None
    answers: dict[str, str | Flag | None] = Field(default_factory=dict,
                                                  description="Answers to the region's questions")
    consent: Flag = Field(default=False, description="The person agrees to the form's purpose")
    keep_application: Flag = False
    consents: list[Annotated[str, Field(max_length=KEY_LENGTH)]] = Field(
        default_factory=list, max_length=20,
        description="Keys of the region's optional consent questions the person agrees to "
                    "(the boxes the plug-ins add to the form, such as newsletter)")
    profile: SimulatorProfile = SimulatorProfile()

    @field_validator("answers", mode="before")
    @classmethod
    def _few_answers(cls, answers: Any) -> Any:
        """Refused before each answer is read, in one short error: no more answers than a
        form has questions, and short keys."""
        if isinstance(answers, dict):
            if len(answers) > MAX_ANSWERS:
                raise ValueError(f"at most {MAX_ANSWERS} answers")
            if any(len(key) > KEY_LENGTH for key in answers):
                raise ValueError(f"a question's key has at most {KEY_LENGTH} characters")
        return answers


class InquiryAccepted(BaseModel):
    """The answer: the inquiry's id and a status message, nothing of what was sent."""

    id: int
    status: Literal["received"] = "received"
    acknowledgement: Literal["queued", "delayed", "none"] = Field(
        description="The acknowledgement e-mail: 'queued' for the address given, 'delayed' "
                    "when queued but the outbox does not send at the moment, 'none' when "
                    "no e-mail was queued")
    detail: str


def _problems(errors: dict[str, str], unknown: list[str],
              unasked: list[str]) -> list[dict[str, Any]]:
    """Errors in the shape FastAPI gives its own, so the API answers them alike."""
    found: list[dict[str, Any]] = [
        {"type": "unknown_consent", "loc": ("body", "consents", key),
         "msg": f"unknown consent question '{key}'", "input": None}
        for key in unasked[:UNKNOWN_SHOWN]] + [
        {"type": "unknown_answer", "loc": ("body", "answers", key),
         "msg": f"unknown question '{key}'", "input": None} for key in unknown[:UNKNOWN_SHOWN]]
    if len(unknown) > UNKNOWN_SHOWN:
        found.append({"type": "unknown_answer", "loc": ("body", "answers"), "input": None,
                      "msg": f"{len(unknown) - UNKNOWN_SHOWN} more unknown questions"})
    for name, message in errors.items():
        loc = ("body", "answers", name.removeprefix("extra_")) if name.startswith("extra_") \
            else ("body", name)
        found.append({"type": "invalid", "loc": loc, "msg": message, "input": None})
    return found


@router.post("", status_code=201, response_model=InquiryAccepted,
             summary="Send an inquiry to the region's programme",
             responses={422: {"description": "A field is missing or not valid (named)"},
                        429: {"description": "Too many inquiries with this e-mail address "
                                             "or from this client address (the detail says "
                                             "which and for how long; Retry-After)"}})
def send_inquiry(request: Request, body: InquiryIn, region: RegionDep, instance: InstanceDep,
                 session: SessionDep, background: BackgroundTasks) -> Any:
    """Store an inquiry at the first stage of the region's pipeline and acknowledge it by
    e-mail in the request's language. A few inquiries per (client address, e-mail address)
    and window (``CAMPAGNE_INQUIRY_RATE_LIMIT``), more per client address
    (``CAMPAGNE_INQUIRY_ADDRESS_LIMIT``); beyond, 429 with ``Retry-After`` and a detail
    saying which limit and for how long."""
    address = client_address(request)
    refused = limited(session, instance.settings, address, body.email or "")
    if refused is not None:
        return JSONResponse({"detail": explain(refused)}, status_code=429,
                            headers={"Retry-After": str(refused.retry_after)})
    locale = current_locale.get()
    spec = form_spec(region.config, locale)
    raw: dict[str, Any] = body.model_dump(exclude={"answers", "profile"})
    raw.update({f"extra_{key}": value for key, value in body.answers.items()})
    known = {field.name for field in spec.extras}
    inquiry, errors = clean(spec, raw)
    unknown = sorted(set(body.answers) - known)
    unasked = unknown_keys(questions(instance.plugins, region, locale), body.consents)
    if inquiry is None or unknown or unasked:
        raise RequestValidationError(_problems(errors, unknown, unasked))
    submitted = actions.submit(
        actions.Context(instance, region, session, background, address), inquiry,
        source=InquirySource.API, profile=body.profile.model_dump(exclude_none=True),
        locale=locale, consents=tuple(dict.fromkeys(body.consents)))
    assert submitted.inquiry.id is not None
    return InquiryAccepted(id=submitted.inquiry.id,
                           acknowledgement=submitted.acknowledged.value,
                           detail=_accepted_detail(submitted.acknowledged))


def _accepted_detail(acknowledged: actions.Acknowledged) -> str:
    """The status message: it promises an e-mail only when one was queued and the outbox
    sends (the same rule as the form's thanks page)."""
    if acknowledged is actions.Acknowledged.QUEUED:
        return gettext("Inquiry received; the programme will answer. An acknowledgement is "
                       "on its way to the e-mail address given.")
    if acknowledged is actions.Acknowledged.DELAYED:
        return gettext("Inquiry received; the programme will answer. The acknowledgement to "
                       "the e-mail address given waits to be sent and may come late.")
    return gettext("Inquiry received; the programme will answer. No e-mail was sent, as no "
                   "e-mail address was given.")
