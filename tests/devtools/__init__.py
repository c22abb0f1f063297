"""Tests of ``skill.devtools``: the terminal, its hearing, validate, the models and the package."""
