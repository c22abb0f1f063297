"""The conversation: what to say next, and the next state, given the state and the turn.

Pure: no ask-sdk, no I/O, no clock. Lives here: the dialogue policy (``policy``),
the session state (``state``), the routines as data (``routines``) and replies as
content keys (``reply``). May import: ``skill.speech`` only.
"""
