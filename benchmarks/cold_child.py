"""One cold start, in a fresh interpreter: import a Lambda entry point and answer one
request, as a new Lambda instance does. Prints the figures as one JSON line.

Usage: python cold_child.py MODULE EVENT_JSON_FILE (MODULE importable through PYTHONPATH)

Only ``time``, ``sys`` and ``json`` (which both entry points import anyway) are
loaded before the clock starts; the event is read from a file before it too. Both
wall time and this process's CPU time (which other processes on a busy machine
disturb much less) are taken around import + first answer. With
``COLD_PRELOAD=mod1,mod2`` those modules are imported before the clock as well (the
Lambda runtime's own imports: see ``cold.LAMBDA_RUNTIME_IMPORTS``).
"""

import os
import time

for _name in filter(None, os.environ.get("COLD_PRELOAD", "").split(",")):
    __import__(_name)

STARTED = time.perf_counter()  # as near to interpreter start as a script can be

import json  # noqa: E402
import sys  # noqa: E402


def main() -> None:
    module_name, event_file = sys.argv[1:3]
    with open(event_file, encoding="utf-8") as source:
        event = json.load(source)
    cpu_begin, begin = time.process_time(), time.perf_counter()
    module = __import__(module_name)
    imported = time.perf_counter()
    answer = module.lambda_handler(event, None)
    answered, cpu_answered = time.perf_counter(), time.process_time()
    speech = answer["response"]["outputSpeech"]["ssml"]
    print(json.dumps({
        "import_ms": (imported - begin) * 1000,
        "first_call_ms": (answered - imported) * 1000,
        "import_and_call_ms": (answered - begin) * 1000,
        "import_and_call_cpu_ms": (cpu_answered - cpu_begin) * 1000,
        "since_script_start_ms": (answered - STARTED) * 1000,
        "speech_chars": len(speech),
        "modules": len(sys.modules),
        "module_file": module.__file__,
    }))


if __name__ == "__main__":
    main()
