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
from skill.alexa.api_client import STAND_IN_SETTING, AlexaApiClient

log = logging.getLogger(__name__)

HOSTS = tuple(store.DEFAULTS)  # "lambda", and "local": serve, chat and say, with a data folder


class Services(NamedTuple):
    """What a skill is built with. ``None`` means the skill goes without: no
    persistent attributes, no service client factory (ask-sdk's own defaults)."""

    persistence_adapter: AbstractPersistenceAdapter | None = None
    api_client: ApiClient | None = None


def services_from_environment(environ: Mapping[str, str] | None = None, *, host: str = "lambda") -> Services:
    """The services this process's environment asks for (``os.environ`` unless given).

    Each service reads its own variables here (the store: ``LEG_CRAMP_STORE``; the
    Alexa API client: ``LEG_CRAMP_ALEXA_API``) and nowhere else. The API client is
    always there: it calls Amazon's API hosts only, or the stand-in the development
    setting names.

    ``host`` picks the store's default: on "lambda" nothing is remembered unless a
    store is set; "local" (serve, chat, say) keeps an SQLite file in the user's
    data folder. A store setting that names no store raises ValueError locally; on
    Lambda it is logged and the skill remembers nothing, so that it still answers.
    """
    environ = os.environ if environ is None else environ
    try:
        adapter = store.from_environment(host, environ)
    except ValueError:
        if host != "lambda":
            raise
        log.exception("the preferences store is not usable; remembering nothing")
        adapter = None
    return Services(persistence_adapter=adapter,
                    api_client=AlexaApiClient(stand_in=environ.get(STAND_IN_SETTING) or None))
