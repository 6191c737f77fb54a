"""The workshop's state follows from its times (workflows/workshop.toml), and the call-for-inputs rule."""

from datetime import timedelta

import pytest

from app.service_errors import Invalid
from app.timeutil import utcnow
from app.workshops import services
from tests.workshops.support import make_workshop

pytestmark = pytest.mark.usefixtures("app_context")


def state_in(workshop, hours):
    return services.state_of(workshop, utcnow() + timedelta(hours=hours))


def flags_in(workshop, hours):
    definition = services.lifecycle()
    return {flag for flag in definition.flags if definition.state_has(state_in(workshop, hours), flag)}


def test_the_state_follows_the_call_window_then_the_event():
    # Call from +10 h to +20 h; the workshop from +30 h to +38 h.
    workshop = make_workshop(call=(10, 20), starts_in=30, lasts=8)
    assert flags_in(workshop, 0) == {"upcoming"}
    assert flags_in(workshop, 15) == {"upcoming", "accepts_inputs"}
    assert flags_in(workshop, 25) == {"upcoming"}
    assert state_in(workshop, 25) != state_in(workshop, 0)  # planned, then call closed
    assert flags_in(workshop, 40) == {"is_past"}


def test_the_call_opens_at_its_opening_time_and_closes_at_its_closing_time():
    workshop = make_workshop(call=(10, 20), starts_in=30)
    opens, closes = workshop.call_opens_at, workshop.call_closes_at
    assert not services.in_state(workshop, "accepts_inputs", opens - timedelta(seconds=1))
    assert services.in_state(workshop, "accepts_inputs", opens)
    assert services.in_state(workshop, "accepts_inputs", closes - timedelta(seconds=1))
    assert not services.in_state(workshop, "accepts_inputs", closes)


def test_a_published_outcome_after_the_event():
    workshop = make_workshop(call=None, starts_in=-30, lasts=8, outcome_summary="<p>Done.</p>", outcome_published_at=utcnow())
    assert flags_in(workshop, 1) == {"is_past", "has_outcome"}
    # Before it was published it was only held.
    assert flags_in(workshop, -1) == {"is_past"}


def test_a_workshop_without_a_call_goes_from_planned_to_held():
    workshop = make_workshop(call=None, starts_in=5, lasts=2)
    assert flags_in(workshop, 0) == {"upcoming"}
    assert flags_in(workshop, 8) == {"is_past"}


def test_the_state_is_read_from_the_times_when_asked():
    workshop = make_workshop(call=(-2, 2))
    assert services.in_state(workshop, "accepts_inputs")
    workshop.call_closes_at = utcnow() - timedelta(hours=1)
    assert not services.in_state(workshop, "accepts_inputs")


def test_an_input_outside_the_window_is_refused_naming_the_dates():
    workshop = make_workshop(call=(-72, -48), starts_in=24, time_zone="Europe/Brussels")
    with pytest.raises(Invalid) as refusal:
        services.check_accepts_input(workshop, "capability_gap")
    assert refusal.value.status == 422
    message = refusal.value.field_messages()["workshop_id"]
    opens = services.local(workshop.call_opens_at, "Europe/Brussels")
    closes = services.local(workshop.call_closes_at, "Europe/Brussels")
    assert str(opens.year) in message and opens.strftime("%H:%M") in message and closes.strftime("%H:%M") in message
    assert "Europe/Brussels" in message


def test_an_input_of_a_type_the_call_does_not_ask_for_is_refused():
    workshop = make_workshop(call=(-1, 1), types=("technology",))
    with pytest.raises(Invalid) as refusal:
        services.check_accepts_input(workshop, "capability_gap")
    assert "workshop_id" in refusal.value.fields
    services.check_accepts_input(workshop, "technology")  # accepted


def test_a_workshop_without_a_call_takes_no_inputs():
    workshop = make_workshop(call=None)
    with pytest.raises(Invalid):
        services.check_accepts_input(workshop, "capability_gap")


def test_the_form_offers_only_workshops_with_an_open_call():
    open_one = make_workshop(title="Open", call=(-1, 1))
    make_workshop(title="Closed", call=(-5, -1))
    make_workshop(title="Not yet", call=(1, 5))
    assert [workshop.title for workshop in services.open_for_inputs()] == ["Open"]
    assert open_one.id in [workshop.id for workshop in services.open_for_inputs()]
