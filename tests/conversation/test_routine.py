"""The stretch routines as data, and the rendering of a round."""

import pytest

from skill.conversation.reply import Line
from skill.conversation.routines import BEDTIME, RELIEF, choose_hold, counted_hold, round_lines
from skill.speech.ssml import MAX_BREAK_SECONDS, Pause


@pytest.mark.parametrize("hold", range(10, 61))
def test_a_counted_hold_lasts_its_length_in_steps_of_at_most_ten_seconds(hold):
    parts = counted_hold(hold)
    pauses = [p.seconds for p in parts if isinstance(p, Pause)]
    assert sum(pauses) == hold
    assert max(pauses) <= MAX_BREAK_SECONDS
    counts = [dict(p.params)["seconds"] for p in parts if isinstance(p, Line)]
    assert counts == list(range(10, hold, 10))  # "ten... twenty..." said as time passes


def test_choose_hold_honours_ten_to_sixty_and_otherwise_uses_the_default():
    assert choose_hold(None, RELIEF) == (30, False)
    assert choose_hold(10, RELIEF) == (10, False)
    assert choose_hold(60, BEDTIME) == (60, False)
    assert choose_hold(9, RELIEF) == (30, True)
    assert choose_hold(61, BEDTIME) == (20, True)


def test_a_relief_round_cues_the_named_leg_then_holds_then_releases():
    lines = round_lines(RELIEF, 1, hold=20, leg="left")
    keys = [part.key if isinstance(part, Line) else part for part in lines]
    assert keys == ["stretch.cue", "stretch.may_hurt", "stretch.hold", Pause(10),
                    "stretch.count", Pause(10), "stretch.release"]
    assert dict(lines[0].params)["your_leg"] == Line("leg.left")


def test_later_relief_rounds_use_the_shorter_cue():
    assert round_lines(RELIEF, 2, hold=20)[0].key == "stretch.cue.again"


def test_a_bedtime_round_does_both_legs_with_a_switch_between():
    lines = [part for part in round_lines(BEDTIME, 1, hold=20) if isinstance(part, Line)]
    legs = [dict(line.params)["your_leg"].key for line in lines if line.key == "stretch.cue"]
    assert legs == ["leg.left", "leg.right"]
    assert [line.key for line in lines].count("bedtime.switch") == 1
