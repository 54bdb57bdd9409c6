"""The function the checkout state machine's Task states call; what it does depends on its input:

- ``{"action": "price", "items": [2, 4]}``: returns ``{"total": 6}``
- ``{"action": "charge", "card": "4242"}``: raises PaymentDeclined (an exception class of its own, so the
  error name Step Functions reports can be seen)
- ``{"action": "wait", "seconds": 3}``: sleeps that long, then returns ``{"waited": 3}`` (longer than the Task
  state's TimeoutSeconds allows)
"""

import time


class PaymentDeclined(Exception):
    """The card was refused."""


def lambda_handler(event, context):
    if event["action"] == "price":
        return {"total": sum(event["items"])}
    if event["action"] == "charge":
        raise PaymentDeclined(f"card {event['card']} declined")
    time.sleep(event["seconds"])
    return {"waited": event["seconds"]}
