"""What the skill says and how it sounds: the words, per locale (``words`` and the
``content/`` files), and building SSML within Alexa's limits (``ssml``).

Pure data and text: no ask-sdk, no I/O beyond reading its own content files.
May import: nothing else of ``skill``.
"""
