"""A label's life in the registry: the actions allowed from each status, and its status at
any date folded from its append-only event history. Pure functions, tested rule by rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from conformance.trust.policy import LabelPolicy, PolicyError

Action = Literal["award", "suspend", "reinstate", "withdraw", "campaign-failed"]
Status = Literal["none", "awarded", "suspended", "withdrawn", "expired"]


@dataclass(frozen=True)
class LabelEvent:
    label_id: str
    action: Action
    at: datetime
    actor: str
    reason: str
    report_digest: str | None = None
    valid_until: datetime | None = None
    grace_until: datetime | None = None
    sequence: int = 0


@dataclass(frozen=True)
class LabelState:
    status: Status
    reason: str = ""
    since: datetime | None = None
    valid_until: datetime | None = None
    grace_until: datetime | None = None
    report_digest: str | None = None


ALLOWED_FROM: dict[str, tuple[Status, ...]] = {
    # An award on a current label renews it on a newer report.
    "award": ("none", "awarded", "suspended", "withdrawn", "expired"),
    "suspend": ("awarded",),
    "reinstate": ("suspended",),
    "withdraw": ("awarded", "suspended"),
    "campaign-failed": ("awarded", "suspended"),
}


def check_transition(state: LabelState, action: Action) -> None:
    if state.status not in ALLOWED_FROM[action]:
        raise PolicyError(
            f"cannot {action} a label that is {state.status}"
            + ("" if state.status != "none" else " (no such label)")
        )


def apply(state: LabelState, event: LabelEvent) -> LabelState:
    """The state after one recorded event (events are validated before they are recorded)."""
    state = settle(state, event.at)
    check_transition(state, event.action)
    if event.action == "award":
        return LabelState(
            "awarded", event.reason, event.at, event.valid_until, None, event.report_digest
        )
    if event.action == "reinstate":
        return LabelState(
            "awarded", event.reason, event.at, state.valid_until, None, state.report_digest
        )
    if event.action == "suspend" or (event.action == "campaign-failed" and event.grace_until):
        return LabelState(
            "suspended",
            event.reason,
            event.at,
            state.valid_until,
            event.grace_until,
            state.report_digest,
        )
    return LabelState(
        "withdrawn", event.reason, event.at, state.valid_until, None, state.report_digest
    )


def settle(state: LabelState, moment: datetime) -> LabelState:
    """What time alone does: a grace period runs out, a validity period ends."""
    if state.status == "suspended" and state.grace_until and moment >= state.grace_until:
        state = LabelState(
            "withdrawn",
            "a failed MUST was not remedied within the grace period",
            state.grace_until,
            state.valid_until,
            None,
            state.report_digest,
        )
    if (
        state.status in ("awarded", "suspended")
        and state.valid_until
        and (moment >= state.valid_until)
    ):
        state = LabelState(
            "expired",
            "validity period ended",
            state.valid_until,
            state.valid_until,
            None,
            state.report_digest,
        )
    return state


def status_at(events: list[LabelEvent], moment: datetime) -> LabelState:
    """A label's status at ``moment``, from its events in the order they were recorded."""
    state = LabelState("none")
    for event in events:
        if event.at > moment:
            break
        state = apply(state, event)
    return settle(state, moment)


def failed_campaign_event(
    label_id: str, at: datetime, actor: str, report_digest: str, policy: LabelPolicy
) -> LabelEvent:
    suspend = policy.on_failed_campaign == "suspend"
    grace = at + timedelta(days=policy.grace_days) if suspend else None
    return LabelEvent(
        label_id=label_id,
        action="campaign-failed",
        at=at,
        actor=actor,
        reason="a later official campaign failed a MUST requirement",
        report_digest=report_digest,
        grace_until=grace,
    )
