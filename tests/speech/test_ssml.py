"""The SSML builder and Alexa's rules, on their own."""

import pytest

from skill.speech import ssml
from skill.speech.ssml import Pause


def test_text_is_escaped_and_wrapped_in_one_speak_element():
    built = ssml.speak(["Salt & pepper <b>", "fish"])
    assert built == "<speak>Salt &amp; pepper &lt;b&gt; fish</speak>"
    assert ssml.problems(built) == []


@pytest.mark.parametrize("seconds, tags", [
    (10, ['<break time="10s"/>']),
    (25, ['<break time="10s"/>', '<break time="10s"/>', '<break time="5s"/>']),
    (0.5, ['<break time="500ms"/>']),
    (12.25, ['<break time="10s"/>', '<break time="2250ms"/>']),
])
def test_a_pause_becomes_breaks_of_at_most_ten_seconds(seconds, tags):
    built = ssml.speak(["Hold.", Pause(seconds), "Go."])
    assert built == "<speak>Hold. " + " ".join(tags) + " Go.</speak>"
    assert ssml.spoken_seconds(built) == seconds
    assert ssml.problems(built) == []


def test_speech_at_alexas_limit_is_refused():
    with pytest.raises(ssml.SpeechTooLong):
        ssml.speak(["word " * 2000])


@pytest.mark.parametrize("bad, problem", [
    ('<speak>Hi <break time="11s"/></speak>', "over Alexa's 10 s"),
    ('<speak>Hi <break time="20000ms"/></speak>', "over Alexa's 10 s"),
    ('<speak>Hi <break time="long"/></speak>', "malformed"),
    ("<speak>Hi <b>there</b></speak>", "<b> is not an Alexa SSML tag"),
    ("<speak>Fish & chips</speak>", "not well-formed"),
    ("<speak>" + "a" * 8000 + "</speak>", "characters"),
    ("<speak>" + '<audio src="https://x/a.mp3"/>' * 6 + "</speak>", "at most 5"),
    ("<p>Hi</p>", "one <speak> element"),
])
def test_problems_names_what_alexa_would_reject(bad, problem):
    assert any(problem in found for found in ssml.problems(bad))


def test_alexas_namespaced_tags_are_accepted():
    good = ('<speak><amazon:effect name="whispered">shh</amazon:effect> '
            '<say-as interpret-as="cardinal">10</say-as></speak>')
    assert ssml.problems(good) == []


def test_to_text_shows_each_pause_where_it_falls():
    built = ssml.speak(["Hold it.", Pause(10), "10.", Pause(10), "20.", Pause(5), "Let go."])
    assert ssml.to_text(built) == "Hold it. [10 s] 10. [10 s] 20. [5 s] Let go."
