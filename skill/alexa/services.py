"""The services a skill is built with: the seam between the skill and the world.

ask-sdk's own seam is the skill builder, ``CustomSkillBuilder(persistence_adapter=...,
api_client=...)``; handlers then reach ``attributes_manager.persistent_attributes`` and
``service_client_factory``. ``build_skill`` takes a ``Services`` and hands its pieces to
the builder, so tests, ``validate`` and the terminal pass their own instead of re-wiring
the pipeline, and Lambda and the web host use ``services_from_environment()``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import NamedTuple

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model.services.api_client import ApiClient

from skill.alexa import store
from skill.alexa.api_client import STAND_IN_SETTING, AlexaApiClient, check_stand_in

log = logging.getLogger(__name__)

HOSTS = tuple(store.DEFAULTS)  # "lambda", and "local": serve, chat and say, with a data folder


class Services(NamedTuple):
    """What a skill is built with. ``None`` means the skill goes without: no
    persistent attributes, no service client factory (ask-sdk's own defaults)."""

    persistence_adapter: AbstractPersistenceAdapter | None = None
    api_client: ApiClient | None = None


def check_settings(host: str = "local", environ: Mapping[str, str] | None = None) -> None:
    """Every setting this host's services read, checked before it starts (the store's
    ``LEG_CRAMP_STORE``, the Alexa API stand-in's ``LEG_CRAMP_ALEXA_API``): ValueError
    with one line that names the setting and what is wrong."""
    environ = os.environ if environ is None else environ
    store.check(host, environ)
    stand_in = environ.get(STAND_IN_SETTING)
    if stand_in:
        check_stand_in(stand_in)


def services_from_environment(environ: Mapping[str, str] | None = None, *, host: str = "lambda") -> Services:
    """The services this process's environment asks for (``os.environ`` unless given).

    Each service reads its own variables here (the store: ``LEG_CRAMP_STORE``; the
    Alexa API client: ``LEG_CRAMP_ALEXA_API``) and nowhere else. The API client is
    always there: it calls Amazon's API hosts only, or the stand-in the development
    setting names.

    ``host`` picks the store's default: on "lambda" nothing is remembered unless a
    store is set; "local" (serve, chat, say) keeps an SQLite file in the user's
    data folder. A bad setting raises ValueError locally (the hosts refuse to start
    on it first, see ``check_settings``); on Lambda it is logged once, when the skill
    is built, and the skill goes without that service, so that it still answers.
    """
    environ = os.environ if environ is None else environ
    try:
        adapter = store.from_environment(host, environ)
    except ValueError as problem:
        if host != "lambda":
            raise
        log.error("the preferences store is not usable, so nothing is remembered: %s", problem)
        adapter = None
    stand_in = environ.get(STAND_IN_SETTING) or None
    if stand_in and host == "lambda":
        try:
            check_stand_in(stand_in)
        except ValueError as problem:
            log.error("ignoring a development setting: %s", problem)
            stand_in = None
    return Services(persistence_adapter=adapter, api_client=AlexaApiClient(stand_in=stand_in))
