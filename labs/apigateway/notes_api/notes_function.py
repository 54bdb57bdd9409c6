"""The Lambda function behind /notes (Lab 5's backend), for API Gateway's Lambda (non-proxy) integration: the
integration request's mapping template builds the event, the function returns plain JSON, and the integration
response's template reshapes it.

Events: ``{"action": "list", "userId": "..."}`` -> ``{"notes": [the user's notes]}``;
``{"action": "add", "note": {...}}`` -> ``{"stored": {...}}``.
"""

NOTES = [{"UserId": "test", "NoteId": 1, "Note": "hello from the function"}]


def lambda_handler(event, context):
    if event.get("action") == "add":
        return {"stored": event["note"]}
    return {"notes": [note for note in NOTES if note["UserId"] == event.get("userId")]}
