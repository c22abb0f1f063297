"""Tests of ``skill.alexa``: the services seam, the handlers through the Lambda entry, the time of day."""
