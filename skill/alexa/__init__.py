"""What the Lambda runs: ``build.build_skill`` / ``build.handle_event``, the
ask-sdk request handlers, and the calls to Alexa's services (the Settings API for
the device's time zone).

May import: ``skill.conversation``, ``skill.speech`` and ask-sdk. Never the web
host or the developer tools: those are not in the Lambda zip.
"""
