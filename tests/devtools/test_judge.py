"""The judge of whole responses (skill.devtools.judge), on its own."""

from skill.devtools.judge import response_problems


def _envelope(speech, reprompt=None, end=False):
    response = {"outputSpeech": {"type": "SSML", "ssml": speech}, "shouldEndSession": end}
    if reprompt:
        response["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": reprompt}}
    return {"version": "1.0", "response": response}


def test_response_rules_open_session_needs_a_question_and_a_reprompt():
    assert response_problems(_envelope("<speak>Ready?</speak>", "<speak>Ready?</speak>")) == []
    assert response_problems(_envelope("<speak>Ready.</speak>", "<speak>Ready?</speak>")) == [
        "the session stays open but the speech does not end with a question"]
    assert response_problems(_envelope("<speak>Ready?</speak>")) == [
        "the session stays open without a reprompt"]
    assert response_problems(_envelope("<speak>Bye.</speak>", "<speak>x</speak>", end=True)) == [
        "a reprompt on a response that ends the session"]


def test_response_rules_check_size_and_reprompt_ssml():
    huge = _envelope("<speak>Bye.</speak>", end=True)
    huge["sessionAttributes"] = {"blob": "x" * 130_000}
    assert any("bytes" in p for p in response_problems(huge))
    bad = _envelope("<speak>Ok?</speak>", '<speak><break time="30s"/>Ok?</speak>')
    assert response_problems(bad) == ["reprompt: <break> of 30 s is over Alexa's 10 s"]
