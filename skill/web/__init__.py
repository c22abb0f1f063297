"""The web host: the Flask app (``app.create_app``), proving each request came from
Alexa (``verify``), and running it under gunicorn (``serve``).

May import: ``skill.alexa`` (to answer), Flask, gunicorn, cryptography. Not part
of the Lambda zip. ``create_app`` is re-exported here because deployers point
their WSGI servers at ``skill.web:create_app()``.
"""

from skill.web.app import create_app

__all__ = ["create_app"]
