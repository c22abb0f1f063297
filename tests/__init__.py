"""The tests, grouped by the room of ``skill/`` they test; shared helpers in ``support``."""
