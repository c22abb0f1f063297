"""Leg Cramp Helper: an Alexa skill that talks someone through a night-time leg cramp.

Kept empty of imports so that each entry point (Lambda, the web service, the
terminal) loads only what it needs; the skill is built by ``skill.alexa.build.build_skill``.
"""

__version__ = "0.1.0"
