"""Tests of ``skill.web``: the Flask app, request verification, the real server under gunicorn."""
