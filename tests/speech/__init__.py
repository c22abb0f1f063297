"""Tests of ``skill.speech``: the words per locale and the SSML builder."""
