"""Model parameters: names, defaults, allowed ranges and the reason for each default.

Every number the model uses lives here, as a field of :class:`Parameters`, so that a
scenario file, a sweep or the app can set it by name, and so that ``docs/ODD.md`` can
list them all. The first block holds the public names fixed by the conceptual model
(the public vocabulary, docs/ODD.md section 10); the rest are the coefficients of the 12 processes.

All rates are per month. Validation is strict: an unknown name or a value outside its
range raises :class:`ParameterError`, naming the parameter and what is allowed. Types are
strict too, the same rule as the interventions': a boolean parameter takes ``True`` or
``False``; an integer one an ``int`` (not a bool, not ``2.0``); a number an ``int`` or a
``float`` (not a bool); no string is read as a number or a boolean. NumPy scalars count as
what they hold, and a list or array is accepted for a tuple of values.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from simulation.core.environment import DEFAULT_START_YEAR, series_from
from simulation.core.errors import LewsimError
from simulation.core.wording import did_you_mean, error_reason, is_number, refusal

EXPOSURE_CLASSES = ("none", "some", "significant")

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
# A tuple of values may be given as any sequence; its items stay strict.
Triple = Annotated[tuple[Share, Share, Share], Strict(False)]
# A yearly series (docs/ODD.md section 6.1): one value per model year, the last one holds.
YEARLY_SERIES = ("funding_envelope", "policy_pressure")
Yearly = Annotated[tuple[Share, ...], Strict(False), Field(min_length=1, max_length=100)]


class ParameterError(LewsimError):
    """A model argument is unknown or outside its allowed range."""


class Parameters(BaseModel):
    """All model parameters, validated. Create with keyword arguments; unknown keys fail."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True)

    # ---- Public vocabulary (docs/ODD.md section 10) ---------------------------------------
    n_orgs: int = Field(24, ge=1, le=200_000, description="Organisations in the sector.")
    mean_org_size: float = Field(
        197.0, ge=12.0, le=5_000.0, description="Mean staff per organisation."
    )
    exposure_mix: Triple = Field(
        (0.55, 0.30, 0.15),
        description="Initial shares of exposure classes none / some / significant (sum to 1).",
    )
    board_support: Share = Field(
        0.3, description="Top-down signal that executives' commitment is pulled towards."
    )
    pay_parity: Share = Field(
        0.8, description="Peer pay relative to comparable roles (1 = parity)."
    )
    role_clarity: Share = Field(0.5, description="Clarity of peer job roles and responsibilities.")
    visit_rate: Rate = Field(
        0.01, description="Chance per manager per month of visiting a neighbouring organisation."
    )
    manager_network: bool = Field(
        False, description="A support network / mentoring for managers hiring peers."
    )
    champion_threshold: Share = Field(
        0.609, description="Understanding and commitment above which staff may become champions."
    )
    hire_threshold: Share = Field(
        0.307, description="Resourcing will above which peer positions open."
    )
    funding_envelope: Yearly = Field(
        series_from("funding_envelope", DEFAULT_START_YEAR),
        description="Yearly funding for peer posts, as a share of an organisation's staff "
        "(one value per model year; the last holds).",
    )
    policy_pressure: Yearly = Field(
        series_from("policy_pressure", DEFAULT_START_YEAR),
        description="Yearly policy pressure for peer roles, 0-1 (one value per model year; "
        "the last holds).",
    )
    contact_effect: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="Multiplier on the effect of LE contact on exposure and stigma.",
    )
    conformity: Rate = Field(
        0.05, description="Monthly pull of a person's stigma to their circle's norm."
    )
    top_down: float = Field(
        0.5, ge=0.0, le=5.0, description="Weight of the superior's commitment in commitment change."
    )
    peer_attrition: Rate = Field(0.0066, description="Baseline monthly peer leaving hazard.")
    staff_turnover: Rate = Field(
        0.01, description="Monthly turnover of managers and clinicians (replaced at once)."
    )
    hidden_le_share: Share = Field(
        0.30, description="Share of non-peer staff with personal lived experience."
    )

    # ---- Sector structure -----------------------------------------------------------------
    org_size_sigma: float = Field(
        0.8, ge=0.0, le=2.0, description="Log-sd of the lognormal organisation size distribution."
    )
    min_org_size: int = Field(12, ge=8, le=1000, description="Smallest organisation (staff).")
    team_size: float = Field(10.0, ge=3.0, le=50.0, description="Mean frontline team size.")
    teams_per_senior: int = Field(4, ge=1, le=50, description="Teams overseen by a senior manager.")
    sector_degree: int = Field(4, ge=0, le=50, description="Mean degree of the sector network.")

    # ---- Initial state ---------------------------------------------------------------------
    initial_peer_share: Annotated[tuple[Share, Share], Strict(False)] = Field(
        (0.01, 0.02), description="Peer share of staff at month 0 for classes some / significant."
    )
    initial_exposure: Triple = Field(
        (0.05, 0.30, 0.50), description="Mean initial exposure of non-peer staff, by class."
    )
    initial_understanding: Triple = Field(
        (0.15, 0.35, 0.50), description="Mean initial understanding of non-peer staff, by class."
    )
    initial_commitment: Triple = Field(
        (0.15, 0.30, 0.45), description="Mean initial commitment of non-peer staff, by class."
    )
    initial_stigma: Triple = Field(
        (0.45, 0.38, 0.30), description="Mean initial stigma of non-peer staff, by class."
    )
    peer_attitude: Share = Field(
        0.85, description="Mean exposure, understanding and commitment of a new peer worker."
    )
    attitude_concentration: float = Field(
        10.0, ge=1.0, le=1000.0, description="Concentration (a + b) of the Beta attitude draws."
    )
    initial_disclosure: Share = Field(
        0.2, description="Share of non-peer staff with LE who have disclosed at month 0."
    )
    initial_le_leader: Share = Field(
        0.5,
        description="Chance that a 'significant' organisation with enough peers has an LE leader.",
    )
    initial_champion: Share = Field(
        0.5, description="Chance that a person above the champion threshold at month 0 is one."
    )

    # ---- 2. Contact and exposure -----------------------------------------------------------
    disclosed_weight: Share = Field(
        0.5, description="Weight of a disclosed LE colleague as an LE contact (a peer counts 1)."
    )
    exposure_gain: Rate = Field(0.2, description="Monthly exposure gain at full LE contact.")
    exposure_decay: Rate = Field(0.02, description="Monthly decay of exposure without contact.")
    network_exposure: Rate = Field(
        0.02, description="Monthly exposure gain of managers in peerless orgs from the network."
    )

    # ---- 3. Understanding ------------------------------------------------------------------
    understanding_gain: Rate = Field(
        0.0444, description="Monthly understanding gain at exposure 1."
    )
    understanding_decay: Rate = Field(0.0147, description="Monthly decay of understanding.")
    commitment_insight: Share = Field(
        0.3,
        description="Weight of one's own commitment, beside exposure, in understanding growth.",
    )

    # ---- 4. Commitment ---------------------------------------------------------------------
    commitment_rate: Rate = Field(0.1, description="Monthly speed of commitment adjustment.")
    pressure_support: Share = Field(
        0.498,
        description="Share of the gap to full board support closed at policy pressure 1.",
    )
    champion_weight: float = Field(
        0.5, ge=0.0, le=5.0, description="Push of champions within reach on commitment."
    )
    evidence_weight: float = Field(
        0.5,
        ge=0.0,
        le=5.0,
        description="Pull towards commitment of decision-makers per unit of visible peer work "
        "in their organisation.",
    )
    stigma_drag: float = Field(
        0.5, ge=0.0, le=5.0, description="Hold of the local culture's stigma on commitment."
    )

    # ---- 5. Stigma -------------------------------------------------------------------------
    contact_stigma: Rate = Field(
        0.015,
        description="Monthly fall of stigma at full LE contact (times contact_effect).",
    )
    token_share: Share = Field(
        0.15, description="Peer share of a team below which peers are tokens with less voice."
    )
    top_down_culture: Rate = Field(
        0.01, description="Monthly fractional fall of stigma per unit of executive commitment."
    )

    # ---- 6. Disclosure ---------------------------------------------------------------------
    disclosure_rate: Rate = Field(
        0.05, description="Monthly disclosure chance per unit of safety above one's threshold."
    )
    le_leader_safety: Share = Field(
        0.15, description="Boost to perceived safety where the organisation has an LE leader."
    )
    disclosure_safety: Share = Field(
        0.5, description="Boost to perceived safety per unit share of disclosed LE colleagues."
    )
    champion_safety: Share = Field(
        0.2, description="Boost to perceived safety per unit of champion power in the circle."
    )
    disclosure_threshold: Annotated[
        tuple[Share, Annotated[float, Field(ge=1.0, le=1000.0)]], Strict(False)
    ] = Field(
        (0.62, 10.0),
        description="Mean and concentration of the Beta-distributed personal safety thresholds.",
    )

    # ---- 7. Champions ----------------------------------------------------------------------
    champion_uptake: Rate = Field(
        0.015, description="Monthly chance that an eligible person takes up the champion role."
    )

    # ---- 8. Resourcing and hiring ------------------------------------------------------------
    champion_push: float = Field(
        0.2, ge=0.0, le=2.0, description="Will added per unit of champion power at decision levels."
    )
    first_hire_rate: Rate = Field(
        0.0308,
        description="Monthly chance of a first peer post in a peerless organisation whose "
        "leaders fully understand the roles, at pressure 1.",
    )
    first_hire_understanding: Share = Field(
        0.362,
        description="Mean understanding of a peerless organisation's executives and senior "
        "managers below which they do not consider a first peer post.",
    )
    imitation: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="Weight of the share of neighbours employing peers in the first-hire chance.",
    )
    position_rate: Rate = Field(
        0.0535, description="Monthly chance of opening a position at maximal will."
    )
    request_weight: float = Field(
        0.5,
        ge=0.0,
        le=10.0,
        description="Rise in the chance of opening a position per frontline team with peers.",
    )
    fill_rate: Rate = Field(
        0.4, description="Monthly chance that a vacant funded position is filled."
    )
    le_leader_min_peers: int = Field(
        4, ge=1, le=1000, description="Peers needed before an LE leader position is created."
    )
    le_leader_will: Share = Field(
        0.45, description="Resourcing will needed to create an LE leader position."
    )
    le_leader_clarity: Share = Field(
        0.5, description="Share of the gap to full role clarity an LE leader closes."
    )

    # ---- 9. Peer retention -------------------------------------------------------------------
    exit_stigma: float = Field(1.0, ge=0.0, le=10.0, description="Log-hazard per unit team stigma.")
    exit_token: float = Field(0.5, ge=0.0, le=10.0, description="Log-hazard of being a token.")
    exit_pay: float = Field(0.55, ge=0.0, le=10.0, description="Log-hazard per unit pay disparity.")
    exit_role: float = Field(
        1.07, ge=0.0, le=10.0, description="Log-hazard per unit role ambiguity."
    )
    exit_support: float = Field(
        0.7,
        ge=0.0,
        le=10.0,
        description="Log-hazard reduction per unit of supervision and support.",
    )

    # ---- 11. Inter-organisational contact ------------------------------------------------------
    visit_gain: Rate = Field(
        1.0, description="Exposure gained in a visit to a host where peer work visibly succeeds."
    )
    # At least 1 %: at 0 every organisation's visibility would divide 0 by 0.
    visible_peer_share: Annotated[float, Field(ge=0.01, le=1.0)] = Field(
        0.15, description="Peer share at which an organisation's peer work is fully visible."
    )

    # ---- Interventions -----------------------------------------------------------------------
    training_understanding: Share = Field(
        0.3, description="Share of the gap to full understanding closed by management training."
    )
    training_exposure: Share = Field(
        0.2, description="Share of the gap to full exposure closed by a training session."
    )
    training_stigma: Share = Field(
        0.15, description="Fractional fall of stigma from workforce-wide training."
    )
    visits_programme_rate: Rate = Field(0.2, description="Visit rate set by a visits programme.")

    @field_validator(*YEARLY_SERIES, mode="before")
    @classmethod
    def _constant_series(cls, value: Any) -> Any:
        # One number for a yearly series means the same value every year.
        if is_number(value):
            return (value,)
        return value

    @field_validator("exposure_mix")
    @classmethod
    def _mix_sums_to_one(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        if abs(sum(value) - 1.0) > 1e-6:
            raise ValueError(f"shares must sum to 1 (they sum to {sum(value):.6g})")
        return value

    @field_validator("exposure_mix", mode="before")
    @classmethod
    def _mix_from_mapping(cls, value: Any) -> Any:
        if isinstance(value, dict):
            unknown = set(value) - set(EXPOSURE_CLASSES)
            if unknown:
                raise ValueError(f"keys must be among {EXPOSURE_CLASSES}, got {sorted(unknown)}")
            return tuple(value.get(name, 0.0) for name in EXPOSURE_CLASSES)
        return value

    @field_validator("sector_degree")
    @classmethod
    def _sector_degree_can_connect(cls, value: int, info: ValidationInfo) -> int:
        # A small world links each organisation to sector_degree // 2 neighbours on each
        # side of a ring: with 1 that is none, and no connected network exists.
        if value == 1 and info.data.get("n_orgs", 0) > 2:
            raise ValueError(
                "1 cannot make a connected sector network of more than 2 organisations "
                "(use 0 for no network, or 2 or more)"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _numpy_scalars_as_python(cls, values: Any) -> Any:
        if isinstance(values, dict):
            return {
                name: value.item() if isinstance(value, np.generic) else value
                for name, value in values.items()
            }
        return values


PARAMETER_NAMES: tuple[str, ...] = tuple(Parameters.model_fields)

#: The public vocabulary (docs/ODD.md section 10): the first fields of :class:`Parameters`.
PUBLIC_PARAMETERS: tuple[str, ...] = PARAMETER_NAMES[: PARAMETER_NAMES.index("hidden_le_share") + 1]

#: Levers that can differ between organisations (scenario ``set`` events with ``orgs``).
ORG_LEVERS: tuple[str, ...] = (
    "board_support",
    "pay_parity",
    "role_clarity",
    "visit_rate",
    "manager_network",
    "hire_threshold",
)


#: Parameters used only to build the sector at month 0; changing them later would do nothing.
SETUP_ONLY: tuple[str, ...] = (
    "n_orgs",
    "mean_org_size",
    "org_size_sigma",
    "min_org_size",
    "team_size",
    "teams_per_senior",
    "sector_degree",
    "initial_peer_share",
    "initial_disclosure",
    "initial_le_leader",
    "initial_champion",
)


def _describe_number(annotation: Any, metadata: list[Any]) -> str:
    kind = "an integer" if annotation is int else "a number"
    for item in get_args(annotation)[1:] if get_origin(annotation) is Annotated else ():
        metadata = [*metadata, *getattr(item, "metadata", [item])]
    bounds = {type(m).__name__: m for m in metadata}
    if "Ge" in bounds and "Le" in bounds:
        return f"{kind} between {bounds['Ge'].ge:g} and {bounds['Le'].le:g}"
    return kind


def allowed_values(name: str) -> str:
    """Describe in words what a parameter accepts.

    Args:
        name: A parameter name.

    Returns:
        A short phrase such as ``"a number between 0 and 1"``.
    """
    field = Parameters.model_fields[name]
    if field.annotation is bool:
        return "true or false"
    if name == "exposure_mix":
        return "three shares (none, some, significant) in [0, 1] that sum to 1"
    if name in YEARLY_SERIES:
        return (
            "one number (the same every year) or a list of 1 to 100 yearly values, each "
            "between 0 and 1 (the last one holds)"
        )
    if get_origin(field.annotation) is tuple:
        parts = [_describe_number(arg, []) for arg in get_args(field.annotation)]
        return f"{len(parts)} values ({'; '.join(parts)}), default {field.default}"
    return _describe_number(field.annotation, list(field.metadata))


def validate_parameters(values: dict[str, Any], owner: str = "SectorModel") -> Parameters:
    """Validate keyword arguments into :class:`Parameters`.

    Args:
        values: Parameter names and values; missing names take their defaults.
        owner: Who received the arguments, for the error message.

    Returns:
        The validated, frozen parameters.

    Raises:
        ParameterError: For an unknown name (with the closest valid names) or a value
            outside what the parameter allows.
    """
    unknown = [name for name in values if name not in Parameters.model_fields]
    if unknown:
        name = unknown[0]
        hint = did_you_mean(name, PARAMETER_NAMES)
        raise ParameterError(
            f"{owner}: unknown parameter {name!r}; {hint}the {len(PARAMETER_NAMES)} valid names "
            "are the fields of simulation.Parameters (docs/ODD.md lists them), starting with "
            f"{', '.join(PUBLIC_PARAMETERS)}."
        )
    try:
        return Parameters(**values)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        value = values.get(name, first.get("input"))
        reason = error_reason(first)
        if len(first["loc"]) > 1 and first["type"] in ("missing", "too_long", "too_short"):
            reason = "wrong number of values"
        reason = f"{reason}; it takes {allowed_values(name)}"
        sentence = refusal(f"parameter {name!r}", value, reason, show=repr)
        raise ParameterError(f"{owner}: {sentence}.") from None


#: The unit of each parameter, as docs/ODD.md section 10 gives it ("level" for a 0-1 scale
#: with no unit of its own). ``lewsim params`` shows it next to the default and range.
UNITS: dict[str, str] = {
    "n_orgs": "organisations",
    "mean_org_size": "staff",
    "exposure_mix": "shares",
    "board_support": "level",
    "pay_parity": "fraction of comparable pay",
    "role_clarity": "level",
    "visit_rate": "per manager per month",
    "manager_network": "on/off",
    "champion_threshold": "level",
    "hire_threshold": "will",
    "funding_envelope": "share of staff, per year",
    "policy_pressure": "index, per year",
    "contact_effect": "multiplier",
    "conformity": "per month",
    "top_down": "weight",
    "peer_attrition": "per month",
    "staff_turnover": "per month",
    "hidden_le_share": "share",
    "org_size_sigma": "log-sd",
    "min_org_size": "staff",
    "team_size": "staff",
    "teams_per_senior": "teams",
    "sector_degree": "neighbours",
    "initial_peer_share": "shares",
    "initial_exposure": "means",
    "initial_understanding": "means",
    "initial_commitment": "means",
    "initial_stigma": "means",
    "peer_attitude": "mean",
    "attitude_concentration": "a + b",
    "initial_disclosure": "share",
    "initial_le_leader": "probability",
    "initial_champion": "probability",
    "disclosed_weight": "weight",
    "exposure_gain": "per month",
    "exposure_decay": "per month",
    "network_exposure": "per month",
    "understanding_gain": "per month",
    "understanding_decay": "per month",
    "commitment_insight": "weight",
    "commitment_rate": "per month",
    "pressure_support": "share of the gap",
    "champion_weight": "weight",
    "evidence_weight": "weight",
    "stigma_drag": "weight",
    "contact_stigma": "per month",
    "token_share": "share",
    "top_down_culture": "per month",
    "disclosure_rate": "per month per unit of safety",
    "le_leader_safety": "safety",
    "disclosure_safety": "safety per unit share",
    "champion_safety": "safety per unit of power",
    "disclosure_threshold": "mean, concentration",
    "champion_uptake": "per month",
    "champion_push": "will per unit of power",
    "first_hire_rate": "per month",
    "first_hire_understanding": "level",
    "imitation": "weight",
    "position_rate": "per month",
    "request_weight": "per team with peers",
    "fill_rate": "per month",
    "le_leader_min_peers": "peer workers",
    "le_leader_will": "will",
    "le_leader_clarity": "share of the gap",
    "exit_stigma": "log-hazard per unit stigma",
    "exit_token": "log-hazard",
    "exit_pay": "log-hazard per unit disparity",
    "exit_role": "log-hazard per unit ambiguity",
    "exit_support": "log-hazard per unit support",
    "visit_gain": "share of the gap",
    "visible_peer_share": "share",
    "training_understanding": "share of the gap",
    "training_exposure": "share of the gap",
    "training_stigma": "fraction",
    "visits_programme_rate": "per manager per month",
}
