"""skill.json rules: store text, example phrases that are real samples, icons, the
medical disclaimer, privacy and compliance, the endpoint, events and permissions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from skill.devtools import hearing, icons, strict
from skill.devtools.hearing import LAUNCH_VERBS
from skill.devtools.validate.models import language_model, normal

DISCLAIMER = "not a substitute for professional medical advice"
CATEGORIES = frozenset({
    "ALARMS_AND_CLOCKS", "ASTROLOGY", "BUSINESS_AND_FINANCE", "CALCULATORS",
    "CALENDARS_AND_REMINDERS", "CHILDRENS_EDUCATION_AND_REFERENCE", "CHILDRENS_GAMES",
    "CHILDRENS_MUSIC_AND_AUDIO", "CHILDRENS_NOVELTY_AND_HUMOR", "COMMUNICATION",
    "CONNECTED_CAR", "COOKING_AND_RECIPE", "CURRENCY_GUIDES_AND_CONVERTERS", "DATING",
    "DELIVERY_AND_TAKEOUT", "DEVICE_TRACKING", "EDUCATION_AND_REFERENCE",
    "EVENT_FINDERS", "EXERCISE_AND_WORKOUT", "FASHION_AND_STYLE", "FLIGHT_FINDERS",
    "FRIENDS_AND_FAMILY", "GAME_INFO_AND_ACCESSORY", "GAMES", "HEALTH_AND_FITNESS",
    "HOTEL_FINDERS", "KNOWLEDGE_AND_TRIVIA", "MOVIE_AND_TV_KNOWLEDGE_AND_TRIVIA",
    "MOVIE_INFO_AND_REVIEWS", "MOVIE_SHOWTIMES", "MUSIC_AND_AUDIO_ACCESSORIES",
    "MUSIC_AND_AUDIO_KNOWLEDGE_AND_TRIVIA", "MUSIC_INFO_REVIEWS_AND_RECOGNITION_SERVICE",
    "NAVIGATION_AND_TRIP_PLANNER", "NEWS", "NOVELTY", "ORGANIZERS_AND_ASSISTANTS",
    "PETS_AND_ANIMAL", "PODCAST", "PUBLIC_TRANSPORTATION", "RELIGION_AND_SPIRITUALITY",
    "RESTAURANT_BOOKING_INFO_AND_REVIEW", "SCHOOLS", "SCORE_KEEPING", "SELF_IMPROVEMENT",
    "SHOPPING", "SMART_HOME", "SOCIAL_NETWORKING", "SPORTS_GAMES", "SPORTS_NEWS",
    "STREAMING_SERVICE", "TAXI_AND_RIDESHARING", "TO_DO_LISTS_AND_NOTES", "TRANSLATORS",
    "TV_GUIDES", "UNIT_CONVERTERS", "WEATHER", "WINE_AND_BEVERAGE", "ZIP_CODE_LOOKUP",
})
PRIVACY_QUESTIONS = ("allowsPurchases", "usesPersonalInfo", "isChildDirected",
                     "isExportCompliant", "containsAds")
MAX_EXAMPLE_PHRASES = 3
_EXAMPLE = re.compile(
    r"^alexa,?\s+(?P<verb>" + "|".join(sorted(LAUNCH_VERBS)) + r")\s+(?P<rest>.*?)[\s.?!]*$")
_SEPARATORS = ("to", "for", "about", "that", "if", "whether", "and")


def _utterance(phrase: str) -> str:
    return normal(re.sub(r"[,?!]", " ", phrase)).rstrip(".")


def example_problems(phrase: Any, document: Any, model: strict.Model) -> list[str]:
    """An example phrase must invoke the skill by name and, past the launch words,
    be a sample utterance of the locale's model (``document``, compiled as ``model``)."""
    if not isinstance(phrase, str) or not phrase.strip():
        return ["an empty example phrase"]
    invocation = normal(str(language_model(document).get("invocationName", "")))
    match = _EXAMPLE.match(normal(phrase))
    if not match or not invocation or not (match["rest"] + " ").startswith(invocation + " "):
        return [f"example phrase {phrase!r} must start \"Alexa, open {invocation}\" "
                f"or \"Alexa, ask {invocation} ...\""]
    rest = _utterance(match["rest"][len(invocation):])
    if not rest:
        if match["verb"] in ("ask", "tell"):
            return [f"example phrase {phrase!r}: ask or tell needs something to ask"]
        return []
    candidates = [rest] + [rest[len(word) + 1:] for word in _SEPARATORS if rest.startswith(word + " ")]
    if any(strict.match(candidate, model).intent not in (None, hearing.FALLBACK) for candidate in candidates):
        return []
    return [f"example phrase {phrase!r}: {candidates[-1]!r} is not a sample utterance of the model"]


def icon_problems(uri: Any, size: int, root: Path | None) -> list[str]:
    """An icon is an https URL, or a PNG of the right size that the ASK CLI packages
    (``file://assets/images/...``, under the project's ``assets/images``)."""
    if not isinstance(uri, str):
        return ["must be an https URL or file://assets/images/<name>.png"]
    if uri.startswith("https://"):
        return []
    relative = uri.removeprefix("file://")
    if not uri.startswith("file://") or not relative.startswith(f"{icons.IMAGES.as_posix()}/") or ".." in relative:
        return ["must be an https URL or file://assets/images/<name>.png"]
    if root is None:
        return []
    path = root / relative
    if not path.is_file():
        return [f"{relative} is not in the project"]
    found = icons.png_size(path.read_bytes())
    if found is None:
        return [f"{relative} is not a PNG"]
    if found != (size, size):
        return [f"{relative} is {found[0]} x {found[1]}; certification needs {size} x {size}"]
    return []


def manifest_problems(manifest: Any, models: dict[str, Any], root: Path | None = None) -> list[tuple[str, bool]]:
    """(message, is_warning) for the skill manifest, given the models by locale."""
    found: list[tuple[str, bool]] = []

    def problem(message: str) -> None:
        found.append((message, False))

    body = manifest.get("manifest") if isinstance(manifest, dict) else None
    if not isinstance(body, dict):
        return [("not a skill manifest: no top-level \"manifest\" object", False)]
    if body.get("manifestVersion") != "1.0":
        problem('manifest.manifestVersion must be "1.0"')
    publishing = body.get("publishingInformation")
    if not isinstance(publishing, dict):
        problem("no manifest.publishingInformation")
        publishing = {}
    if publishing.get("category") not in CATEGORIES:
        problem(f"publishingInformation.category {publishing.get('category')!r} is not an Alexa category")
    if not isinstance(publishing.get("testingInstructions"), str) or not publishing["testingInstructions"].strip():
        problem("publishingInformation.testingInstructions: certification needs testing instructions")
    worldwide = publishing.get("isAvailableWorldwide")
    countries = publishing.get("distributionCountries")
    if not isinstance(worldwide, bool):
        problem("publishingInformation.isAvailableWorldwide must be true or false")
    elif not worldwide and (not isinstance(countries, list) or not countries
                            or not all(isinstance(c, str) and re.fullmatch(r"[A-Z]{2}", c) for c in countries)):
        problem("publishingInformation.distributionCountries must list ISO country codes "
                "when isAvailableWorldwide is false")
    locales = publishing.get("locales")
    if not isinstance(locales, dict) or not locales:
        problem("publishingInformation.locales is missing")
        locales = {}
    for locale in sorted(models):
        if locale not in locales:
            problem(f"publishingInformation.locales has no {locale}, though there is a model for it")
    for locale in sorted(set(locales) - set(models)):
        problem(f"publishingInformation.locales.{locale} has no interaction model")
    if worldwide is False and isinstance(countries, list):
        served = {locale.split("-")[-1] for locale in locales}
        for country in countries:
            if country not in served:
                problem(f"distributionCountries has {country}, but no {country} locale "
                        "(its emergency number would be wrong)")
    for locale, entry in sorted(locales.items()):
        where = f"publishingInformation.locales.{locale}"
        if not isinstance(entry, dict):
            problem(f"{where} must be an object")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not 2 <= len(name.strip()) <= 50:
            problem(f"{where}.name must be 2 to 50 characters")
        summary = entry.get("summary")
        if not isinstance(summary, str) or not summary.strip() or len(summary) > 160:
            problem(f"{where}.summary must be 1 to 160 characters")
        description = entry.get("description")
        if not isinstance(description, str) or not description.strip() or len(description) > 4000:
            problem(f"{where}.description must be 1 to 4000 characters")
        elif DISCLAIMER not in normal(description):
            problem(f"{where}.description must say it is {DISCLAIMER!r} (certification of health skills)")
        keywords = entry.get("keywords", [])
        if not isinstance(keywords, list) or len(keywords) > 30 or not all(
                isinstance(k, str) and k.strip() for k in keywords):
            problem(f"{where}.keywords must be at most 30 non-empty strings")
        phrases = entry.get("examplePhrases")
        if not isinstance(phrases, list) or not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
            problem(f"{where}.examplePhrases must hold 1 to {MAX_EXAMPLE_PHRASES} phrases")
            phrases = phrases if isinstance(phrases, list) else []
        if locale in models:
            model = strict.compile_model(language_model(models[locale]))
            for phrase in phrases:
                found += [(f"{where}: {message}", False)
                          for message in example_problems(phrase, models[locale], model)]
        for icon, size in icons.SIZES.items():
            uri = entry.get(icon)
            if uri is None or (isinstance(uri, str) and re.search(r"placeholder|replace|example\.", uri, re.I)):
                found.append((f"{where}.{icon}: certification needs a {size} x {size} PNG icon; "
                              "add it before submitting", True))
            else:
                for message in icon_problems(uri, size, root):
                    problem(f"{where}.{icon} {message}")
    privacy = body.get("privacyAndCompliance")
    if not isinstance(privacy, dict):
        problem("manifest.privacyAndCompliance is missing: the privacy and compliance questions are unanswered")
        privacy = {}
    for question in PRIVACY_QUESTIONS:
        if question in privacy and not isinstance(privacy[question], bool):
            problem(f"privacyAndCompliance.{question} must be true or false")
        elif question not in privacy and body.get("privacyAndCompliance") is not None:
            problem(f"privacyAndCompliance.{question} is unanswered")
    if privacy.get("isExportCompliant") is False:
        problem("privacyAndCompliance.isExportCompliant is false: the skill cannot be published")
    privacy_locales = privacy.get("locales") or {}
    if privacy.get("usesPersonalInfo") or privacy.get("allowsPurchases"):
        for locale in locales:
            url = (privacy_locales.get(locale) or {}).get("privacyPolicyUrl")
            if not isinstance(url, str) or not url.startswith("http"):
                problem(f"privacyAndCompliance.locales.{locale}.privacyPolicyUrl is required "
                        "when the skill uses personal information or allows purchases")
    custom = ((body.get("apis") or {}).get("custom")) if isinstance(body.get("apis"), dict) else None
    if not isinstance(custom, dict):
        problem("manifest.apis.custom is missing: this is a custom skill")
    else:
        endpoint = custom.get("endpoint")
        if endpoint is not None:  # absent: `ask deploy` fills it, or the console
            uri = endpoint.get("uri") if isinstance(endpoint, dict) else None
            if not isinstance(uri, str) or not (uri.startswith("arn:aws:lambda:") or uri.startswith("https://")):
                problem("apis.custom.endpoint.uri must be a Lambda ARN or an https URL (or leave the "
                        "endpoint out for `ask deploy` to fill)")
            elif uri.startswith("https://") and endpoint.get("sslCertificateType") not in (
                    "Wildcard", "SelfSigned", "Trusted"):
                problem("apis.custom.endpoint.sslCertificateType must be Wildcard, SelfSigned or Trusted "
                        "for an https endpoint")
    for message in events_problems(body.get("events")) + permissions_problems(body.get("permissions")):
        problem(message)
    return found


# Skill events Alexa can send (manifest names); the skill must hear SKILL_DISABLED, since
# it keeps a preferences record that is deleted when the skill is disabled.
SKILL_EVENTS = frozenset({"SKILL_ENABLED", "SKILL_DISABLED", "SKILL_PERMISSION_ACCEPTED",
                          "SKILL_PERMISSION_CHANGED", "SKILL_ACCOUNT_LINKED",
                          "SKILL_PROACTIVE_SUBSCRIPTION_CHANGED", "SKILL_NOTIFICATION_SUBSCRIPTION_CHANGED"})
REQUIRED_EVENTS = frozenset({"SKILL_DISABLED"})


def events_problems(events: Any) -> list[str]:
    """manifest.events: the subscriptions the skill needs, only known ones, and an
    endpoint (when given) that Alexa can call."""
    if not isinstance(events, dict):
        return ['manifest.events is missing: subscribe to SKILL_DISABLED ({"subscriptions": '
                '[{"eventName": "SKILL_DISABLED"}]}), so that disabling the skill deletes what it keeps']
    problems = []
    subscriptions = events.get("subscriptions")
    names = [entry.get("eventName") if isinstance(entry, dict) else None
             for entry in subscriptions] if isinstance(subscriptions, list) else []
    if not isinstance(subscriptions, list):
        problems.append("manifest.events.subscriptions must be a list of {\"eventName\": ...}")
    for name in names:
        if name not in SKILL_EVENTS:
            problems.append(f"manifest.events.subscriptions: {name!r} is not a skill event")
    for name in sorted(REQUIRED_EVENTS - set(names)):
        problems.append(f"manifest.events.subscriptions must include {name}: the skill deletes the "
                        "person's preferences when it is disabled")
    endpoint = events.get("endpoint")
    if endpoint is not None:  # absent: `ask deploy` fills it (ask-resources.json targetEndpoint)
        uri = endpoint.get("uri") if isinstance(endpoint, dict) else None
        if not isinstance(uri, str) or not (uri.startswith("arn:aws:lambda:") or uri.startswith("https://")):
            problems.append("manifest.events.endpoint.uri must be a Lambda ARN or an https URL")
    return problems


def _permissions_the_code_asks_for() -> dict[str, str]:
    """Each permission scope the skill may ask a user for, and what it is for. The
    reminders scope counts once the handlers can set a reminder."""
    from skill.alexa import handlers, reminders

    return {reminders.READWRITE: "the nightly bedtime reminder"} if hasattr(handlers, "reminders") else {}


def permissions_problems(permissions: Any) -> list[str]:
    """manifest.permissions: exactly the scopes the code asks for (certification
    refuses a permission a skill does not use)."""
    if permissions is None:
        permissions = []
    if not isinstance(permissions, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("name"), str) for entry in permissions):
        return ["manifest.permissions must be a list of {\"name\": scope}"]
    listed = {entry["name"] for entry in permissions}
    used = _permissions_the_code_asks_for()
    problems = [f"manifest.permissions lists {scope}, which the skill never asks for"
                for scope in sorted(listed - set(used))]
    problems += [f"manifest.permissions must list {scope} ({why})"
                 for scope, why in sorted(used.items()) if scope not in listed]
    return problems
