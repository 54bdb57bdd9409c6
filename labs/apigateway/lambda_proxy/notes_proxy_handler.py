"""The notes API's backend (Lab 5) behind API Gateway's Lambda proxy integration (AWS_PROXY).

API Gateway hands the function the whole HTTP request as one event (httpMethod, path, resource,
pathParameters, queryStringParameters, headers, body, requestContext) and turns the dict it returns
(statusCode, headers, body as a string) into the HTTP response. Every event is first reported to the queue
SEEN_QUEUE_URL, so a test can read what the function received. Routes, by the event's resource and method:

- POST /notes           body {"UserId", "NoteId", "Note"}: stored in NOTES_TABLE; 201 with a Location header
- GET  /notes           ?userId=...: 200 with that user's notes
- GET  /notes/{noteId}  ?userId=...: 200 with the note, or 404
- GET  /broken          returns a dict with a key API Gateway does not know: a malformed proxy response
- GET  /secure-notes and /shared-notes (behind an authorizer, an API key): 200 with the caller the
  authorizer named, if any

A POST body that is not JSON makes ``json.loads`` raise: the function fails.
"""

import json
import os

import boto3
from boto3.dynamodb.conditions import Key

sqs = boto3.client("sqs")
notes = boto3.resource("dynamodb").Table(os.environ["NOTES_TABLE"])


def respond(status, body, headers=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body),
    }


def lambda_handler(event, context):
    sqs.send_message(QueueUrl=os.environ["SEEN_QUEUE_URL"], MessageBody=json.dumps(event))
    route = (event["httpMethod"], event["resource"])
    if route == ("POST", "/notes"):
        note = json.loads(event["body"])
        notes.put_item(Item={"UserId": note["UserId"], "NoteId": note["NoteId"], "Note": note["Note"]})
        return respond(201, note, {"Location": f"/notes/{note['NoteId']}"})
    if route == ("GET", "/notes"):
        user = (event["queryStringParameters"] or {}).get("userId", "")
        found = notes.query(KeyConditionExpression=Key("UserId").eq(user))["Items"]
        return respond(200, {"notes": found}, {"X-Note-Count": str(len(found))})
    if route == ("GET", "/notes/{noteId}"):
        user = (event["queryStringParameters"] or {}).get("userId", "")
        item = notes.get_item(Key={"UserId": user, "NoteId": event["pathParameters"]["noteId"]}).get("Item")
        return respond(200, item) if item else respond(404, {"message": "no such note"})
    if route in {("GET", "/secure-notes"), ("GET", "/shared-notes")}:
        caller = (event["requestContext"].get("authorizer") or {}).get("principalId")
        return respond(200, {"notes": [], "caller": caller})
    if route == ("GET", "/broken"):
        return {
            "statusCode": 200,
            "note": "API Gateway reads statusCode, headers, multiValueHeaders, body, isBase64Encoded",
        }
    return respond(404, {"message": f"no route {route}"})
