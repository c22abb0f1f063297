"""The developer's tools: request envelopes, the Alexa-like session simulator and
the terminal (``say``, ``chat``), the terminal's typed-text hearing, ``validate``
and ``package``, and the judge of responses against Alexa's rules.

May import: anything in ``skill``. Nothing outside devtools imports it, and it is
not part of the Lambda zip.
"""
