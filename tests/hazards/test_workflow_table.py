"""The transition table, walked whole: every action from every status is either allowed or refused."""

from __future__ import annotations

import pytest

from hazards.domain.enums import Status
from hazards.domain.workflow import TRANSITIONS, TransitionError, actions_from, transition_for

ALLOWED = {
    ("reported", "verify"), ("reported", "reject"), ("verified", "reject"), ("reported", "merge"),
    ("verified", "merge"), ("verified", "list"), ("verified", "assign"), ("listed", "approve_plan"),
    ("assigned", "approve_plan"), ("plan_approved", "start_works"), ("in_remediation", "request_closure"),
    ("closure_requested", "accept"), ("closure_requested", "refuse_acceptance"), ("reported", "fix_on_spot"),
    ("closed", "reopen"),
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_from_every_status(status, action):
    if (status.value, action) in ALLOWED:
        assert transition_for(action, status).action == action
    else:
        with pytest.raises(TransitionError, match="cannot be taken from status"):
            transition_for(action, status)


def test_the_path_from_found_to_closed():
    status = Status.REPORTED
    for action in ["verify", "list", "approve_plan", "start_works", "request_closure", "accept"]:
        status = transition_for(action, status).target
    assert status is Status.CLOSED


def test_closed_rejected_and_merged_are_the_closed_states():
    assert {s for s in Status if not s.is_open} == {Status.CLOSED, Status.REJECTED, Status.MERGED}
    assert [t.action for t in actions_from(Status.REJECTED)] == []
    assert [t.action for t in actions_from(Status.MERGED)] == []


def test_unknown_action():
    with pytest.raises(TransitionError, match="unknown action"):
        transition_for("teleport", Status.REPORTED)


@pytest.mark.parametrize("action", ["reject", "reopen", "refuse_acceptance", "fix_on_spot"])
def test_going_back_or_short_cutting_needs_a_reason(action):
    assert "reason" in TRANSITIONS[action].requires
