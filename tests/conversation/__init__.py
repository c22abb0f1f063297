"""Tests of ``skill.conversation``: the dialogue, turn by turn, and the routines."""
