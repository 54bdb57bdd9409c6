"""A function whose module fails at import (init): a missing setting checked outside the handler."""

import os

TABLE = os.environ.get("TABLE_NAME")
if not TABLE:
    raise KeyError("TABLE_NAME is not set")


def lambda_handler(event, context):
    return {"table": TABLE}
