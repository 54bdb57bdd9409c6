"""A function that shows what an execution environment keeps between invocations: /tmp and module globals.

``event["action"]``: "remember" writes ``event["text"]`` to a file in the temporary directory (``/tmp`` on
Lambda); "raise" fails in the handler; "sleep" sleeps ``event["seconds"]``; "crash" fills ``event["mb"]`` MB of
memory and ends the process (a runtime crash, not an exception); anything else only reports.
"""

import os
import tempfile
import time
import uuid

ENVIRONMENT = uuid.uuid4().hex[:8]  # chosen once, at init
invocations = 0
NOTE = os.path.join(tempfile.gettempdir(), "note.txt")


def lambda_handler(event, context):
    global invocations
    invocations += 1
    action = event.get("action")
    if action == "remember":
        with open(NOTE, "w") as f:
            f.write(event["text"])
    elif action == "raise":
        raise ValueError(f"cannot handle order {event['order']}")
    elif action == "sleep":
        time.sleep(event["seconds"])
    elif action == "crash":
        ballast = bytearray(event["mb"] * 1024 * 1024)
        ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page, so it is resident
        os._exit(3)
    note = None
    if os.path.exists(NOTE):
        with open(NOTE) as f:
            note = f.read()
    return {"environment": ENVIRONMENT, "invocations": invocations, "note": note}
