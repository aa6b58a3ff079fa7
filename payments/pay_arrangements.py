"""The pay page's "Can't pay the full amount today?" section, and the panels that show the
customer what they started here (a promise, a plan, a dispute) with its state.

Each feature contributes through its own module (``pay_promise``, ``pay_plan``,
``pay_dispute``); this composes them in a fixed order so the page reads the same every time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from payments.pay_access import InvoiceAccess

TITLE = {"en": "Can't pay the full amount today?", "es": "¿No puede pagar el total hoy?"}
INTRO = {
    "en": "That happens. Choose what suits you and we will take it from there.",
    "es": "Puede pasar. Elija lo que mejor le convenga y nosotros nos encargamos del resto.",
}

QUESTION_TITLE = {"en": "Something not right?", "es": "¿Algo no está bien?"}
QUESTION_INTRO = {
    "en": "Tell us and we will look into it.",
    "es": "Cuéntenos y lo revisaremos.",
}


@dataclass(frozen=True)
class Choice:
    """A link to one of the short forms: promise a date, ask for a plan, raise a dispute."""

    key: str
    label: str
    hint: str
    url: str


@dataclass(frozen=True)
class Panel:
    """A section of the page: ``template`` rendered with ``context`` (plus the page's own)."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Contribution:
    choice: Choice | None = None
    panel: Panel | None = None


# (access, payable, language) -> what the feature adds to this invoice's page.
Contributor = Callable[[InvoiceAccess, bool, str], Contribution]


def _contributors() -> list[Contributor]:
    # Imported here: each feature's module imports this one for Choice and Panel.
    from payments.pay_dispute import dispute_contribution
    from payments.pay_plan import pay_plan_contribution
    from payments.pay_promise import pay_promise_contribution

    return [pay_promise_contribution, pay_plan_contribution, dispute_contribution]


@dataclass(frozen=True)
class Arrangements:
    title: str
    intro: str
    choices: list[Choice]
    panels: list[Panel]


def pay_arrangements(access: InvoiceAccess, *, payable: bool, language: str) -> Arrangements:
    choices: list[Choice] = []
    panels: list[Panel] = []
    for contribute in _contributors():
        part = contribute(access, payable, language)
        if part.choice is not None:
            choices.append(part.choice)
        if part.panel is not None:
            panels.append(part.panel)
    lang = language if language in TITLE else "en"
    if not payable or all(choice.key == "dispute" for choice in choices):
        # A paid invoice offers only the dispute: "can't pay" would read oddly above it.
        return Arrangements(QUESTION_TITLE[lang], QUESTION_INTRO[lang], choices, panels)
    return Arrangements(TITLE[lang], INTRO[lang], choices, panels)
