"""The six contribution types and their fields, defined once.

The HTML form, the API validation, the detail page and
GET /api/v1/contribution-types are all built from TYPES: adding a field to a
type is one edit here.
"""

from dataclasses import dataclass, field

from app.i18n import lazy_gettext as _l

FIELD_KINDS = ("text", "long_text", "choice", "multi_choice", "integer", "url", "date", "contribution_refs")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: object
    kind: str
    required: bool = False
    help: object = ""
    choices: tuple = ()  # (value, label) pairs for choice and multi_choice
    min: int | None = None
    max: int | None = None  # for integer: the value; for text: the length
    refers_to: str | None = None  # for contribution_refs: the type referred to

    def __post_init__(self):
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"{self.name}: unknown field kind {self.kind!r}")
        if self.kind in ("choice", "multi_choice") and not self.choices:
            raise ValueError(f"{self.name}: a {self.kind} field needs choices")

    def choice_label(self, value):
        return dict(self.choices).get(value, value)


@dataclass(frozen=True)
class ContributionType:
    code: str
    name: object
    description: object
    fields: tuple = field(default_factory=tuple)
    # Outcomes come from projects: at least one linked project is required.
    requires_projects: bool = False

    def field(self, name):
        return next((spec for spec in self.fields if spec.name == name), None)


PRIORITIES = (("critical", _l("Critical")), ("high", _l("High")), ("medium", _l("Medium")), ("low", _l("Low")))
LEVELS = (("low", _l("Low")), ("medium", _l("Medium")), ("high", _l("High")))
PRACTITIONERS = (
    ("police", _l("Police and law enforcement")),
    ("border_guards", _l("Border and coast guards")),
    ("customs", _l("Customs")),
    ("civil_protection", _l("Civil protection")),
    ("firefighters", _l("Firefighters")),
    ("emergency_medical", _l("Emergency medical services")),
    ("infrastructure_operators", _l("Critical infrastructure operators")),
    ("cyber_response", _l("Cybersecurity incident response teams")),
    ("forensics", _l("Forensic institutes")),
    ("local_authorities", _l("Local and regional authorities")),
    ("other", _l("Other practitioners")),
)
TIME_HORIZONS = (
    ("short", _l("Short term (under 2 years)")),
    ("medium", _l("Medium term (2 to 5 years)")),
    ("long", _l("Long term (over 5 years)")),
)

TYPES = {
    spec.code: spec
    for spec in [
        ContributionType(
            "capability_gap",
            _l("Capability gap"),
            _l("A need or gap practitioners face in their operations."),
            (
                FieldSpec(
                    "need", _l("Need or gap"), "long_text", True, _l("What practitioners cannot do today, or not well enough."), max=10000
                ),
                FieldSpec(
                    "operational_context",
                    _l("Operational context"),
                    "long_text",
                    True,
                    _l("Where and when the gap shows: missions, environments, scenarios."),
                    max=10000,
                ),
                FieldSpec("practitioners_affected", _l("Practitioners affected"), "multi_choice", True, choices=PRACTITIONERS),
                FieldSpec(
                    "current_workaround",
                    _l("Current workaround"),
                    "long_text",
                    False,
                    _l("How practitioners cope today, if at all."),
                    max=10000,
                ),
                FieldSpec("priority", _l("Priority"), "choice", True, choices=PRIORITIES),
                FieldSpec("time_horizon", _l("Time horizon"), "choice", True, _l("When a solution is needed."), choices=TIME_HORIZONS),
            ),
        ),
        ContributionType(
            "technology",
            _l("State-of-the-art solution"),
            _l("A technology, technique, method or tool at the state of the art."),
            (
                FieldSpec(
                    "solution",
                    _l("Technology, technique, method or tool"),
                    "long_text",
                    True,
                    _l("What it is and what it does."),
                    max=10000,
                ),
                FieldSpec(
                    "solution_kind",
                    _l("Kind of solution"),
                    "choice",
                    True,
                    choices=(
                        ("technology", _l("Technology")),
                        ("technique", _l("Technique")),
                        ("method", _l("Method")),
                        ("tool", _l("Tool")),
                    ),
                ),
                FieldSpec(
                    "addresses_gaps",
                    _l("Capability gaps it addresses"),
                    "contribution_refs",
                    False,
                    _l("Capability gap contributions this solution answers."),
                    refers_to="capability_gap",
                ),
                FieldSpec(
                    "trl",
                    _l("Technology readiness level (TRL)"),
                    "integer",
                    True,
                    _l("From 1 (basic principles) to 9 (proven in operations)."),
                    min=1,
                    max=9,
                ),
                FieldSpec(
                    "availability",
                    _l("Availability"),
                    "choice",
                    True,
                    choices=(
                        ("commercial", _l("Commercially available")),
                        ("open_source", _l("Open source")),
                        ("prototype", _l("Research prototype")),
                        ("in_development", _l("Under development")),
                    ),
                ),
                FieldSpec(
                    "limitations", _l("Limitations"), "long_text", False, _l("Known limits, risks and conditions of use."), max=10000
                ),
            ),
        ),
        ContributionType(
            "outcome",
            _l("Outcome or lesson learnt"),
            _l("An outcome, lesson learnt or best practice from research or operations."),
            (
                FieldSpec("outcome", _l("Outcome, lesson learnt or best practice"), "long_text", True, max=10000),
                FieldSpec(
                    "outcome_kind",
                    _l("Kind"),
                    "choice",
                    True,
                    choices=(("outcome", _l("Outcome")), ("lesson_learnt", _l("Lesson learnt")), ("best_practice", _l("Best practice"))),
                ),
                FieldSpec(
                    "aspects",
                    _l("Aspects"),
                    "multi_choice",
                    True,
                    choices=(
                        ("technological", _l("Technological")),
                        ("industrial", _l("Industrial")),
                        ("legal", _l("Legal")),
                        ("ethical", _l("Ethical")),
                        ("societal", _l("Societal")),
                    ),
                ),
                FieldSpec("recommendation", _l("Recommendation"), "long_text", True, max=10000),
            ),
            requires_projects=True,
        ),
        ContributionType(
            "exploitation",
            _l("Exploitation barrier or opportunity"),
            _l("An opportunity or constraint for the uptake of EU security research results."),
            (
                FieldSpec(
                    "direction",
                    _l("Opportunity or constraint"),
                    "choice",
                    True,
                    choices=(("opportunity", _l("Opportunity")), ("constraint", _l("Constraint"))),
                ),
                FieldSpec("description", _l("Description"), "long_text", True, max=10000),
                FieldSpec(
                    "barrier_kinds",
                    _l("Kind of barrier"),
                    "multi_choice",
                    True,
                    choices=(
                        ("procurement", _l("Procurement")),
                        ("regulation", _l("Regulation")),
                        ("funding", _l("Funding")),
                        ("market", _l("Market")),
                        ("skills", _l("Skills")),
                    ),
                ),
                FieldSpec("recommendation", _l("Recommendation"), "long_text", True, max=10000),
            ),
        ),
        ContributionType(
            "standardisation",
            _l("Standardisation need"),
            _l("An area needing standardised solutions or certification."),
            (
                FieldSpec("area", _l("Area needing standards or certification"), "long_text", True, max=10000),
                FieldSpec(
                    "existing_standards",
                    _l("Existing standards"),
                    "long_text",
                    False,
                    _l("Standards, schemes or guidelines that exist and why they fall short."),
                    max=10000,
                ),
                FieldSpec(
                    "proposed_action",
                    _l("Proposed action"),
                    "choice",
                    True,
                    choices=(
                        ("standard", _l("A standard")),
                        ("certification", _l("A certification scheme")),
                        ("guideline", _l("A guideline")),
                    ),
                ),
                FieldSpec(
                    "standards_body",
                    _l("Standardisation body best placed"),
                    "text",
                    False,
                    _l("For example CEN/TC 391, ETSI, ISO/TC 292."),
                    max=200,
                ),
            ),
        ),
        ContributionType(
            "trend",
            _l("Emerging trend"),
            _l("An emerging or future trend that will shape security."),
            (
                FieldSpec("trend", _l("Trend"), "long_text", True, max=10000),
                FieldSpec("drivers", _l("Drivers"), "long_text", True, max=10000),
                FieldSpec(
                    "horizon",
                    _l("Horizon"),
                    "choice",
                    True,
                    choices=(("2-5", _l("2 to 5 years")), ("5-10", _l("5 to 10 years")), ("10+", _l("More than 10 years"))),
                ),
                FieldSpec("likelihood", _l("Likelihood"), "choice", True, choices=LEVELS),
                FieldSpec("impact", _l("Impact"), "choice", True, choices=(*LEVELS, ("very_high", _l("Very high")))),
                FieldSpec("weak_signals", _l("Weak signals"), "long_text", False, _l("Early signs that the trend is coming."), max=10000),
                FieldSpec("first_observed", _l("First observed"), "date", False),
                FieldSpec("source_url", _l("Main source"), "url", False, max=2000),
            ),
        ),
    ]
}


def get_type(code):
    return TYPES.get(code)
