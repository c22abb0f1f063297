"""What may be written to a log: never an Alexa id.

User, device, session, request, skill and reminder ids all begin ``amzn1.`` (or
are path segments of Alexa's API); a log line keeps the kind of a failure (its
exception type, the shape of the API path) and leaves the ids out. ``redacted``
is the last line of defence for text the skill did not write itself (an
exception's message, a traceback).
"""

from __future__ import annotations

import re
import traceback

ALEXA_ID = re.compile(r"amzn1\.[\w.\-]*", re.ASCII)
MAX_CHARS = 300
TRACEBACK_FRAMES = 12


def redacted(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` with every Alexa id replaced by ``<id>``, cut to ``limit`` characters."""
    return ALEXA_ID.sub("<id>", text)[:limit]


def failure(problem: BaseException) -> str:
    """A traceback for the log: the innermost frames only (a RecursionError's is
    thousands of lines), with every Alexa id taken out."""
    lines = traceback.format_exception(type(problem), problem, problem.__traceback__, limit=-TRACEBACK_FRAMES,
                                       chain=False)
    return redacted("".join(lines), limit=8000).rstrip()
