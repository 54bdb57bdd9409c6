"""Lab 5 (004): the /notes API built as the note describes it, deployed to Prod, and called where the
emulator can serve it. What moto cannot execute (MOCK, Lambda proxy, body validation) keeps AWS's
assertion and is marked."""

from __future__ import annotations

import json
import re

import pytest
import requests
from notes_backend import NotesBackend

NOTE_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Note",
    "type": "object",
    "properties": {"UserId": {"type": "string"}, "NoteId": {"type": "integer"}, "Note": {"type": "string"}},
    "required": ["UserId", "NoteId", "Note"],
}
GET_TEMPLATE = '{"userId": "$input.params(\'userId\')"}'
RESPONSE_TEMPLATE = "#set($body = $input.path('$'))\n{\"count\": $body.notes.size()}"
CORS_HEADERS = {
    "method.response.header.Access-Control-Allow-Origin": "'*'",
    "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
}
NOT_SERVED = "moto server does not serve execute-api URLs (in-process moto does)"


@pytest.fixture
def backend_service():
    service = NotesBackend()
    yield service
    service.close()


@pytest.fixture
def notes_api(aws_client, unique_name, backend_service):
    """The API of Lab 5: /notes with GET and POST (HTTP integrations), OPTIONS for CORS, deployed to Prod."""
    api = aws_client("apigateway")
    api_id = api.create_rest_api(name=unique_name("notes-api"))["id"]
    root = next(r["id"] for r in api.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    notes = api.create_resource(restApiId=api_id, parentId=root, pathPart="notes")["id"]
    api.create_model(restApiId=api_id, name="NoteModel", contentType="application/json", schema=json.dumps(NOTE_SCHEMA))
    validator = api.create_request_validator(
        restApiId=api_id, name="Validate Body", validateRequestBody=True, validateRequestParameters=False
    )["id"]

    api.put_method(restApiId=api_id, resourceId=notes, httpMethod="GET", authorizationType="NONE")
    api.put_integration(
        restApiId=api_id,
        resourceId=notes,
        httpMethod="GET",
        type="HTTP",
        integrationHttpMethod="GET",
        uri=f"{backend_service.url}/notes",
        requestTemplates={"application/json": GET_TEMPLATE},
    )
    api.put_method_response(restApiId=api_id, resourceId=notes, httpMethod="GET", statusCode="200")
    api.put_integration_response(
        restApiId=api_id,
        resourceId=notes,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": RESPONSE_TEMPLATE},
    )

    api.put_method(
        restApiId=api_id,
        resourceId=notes,
        httpMethod="POST",
        authorizationType="NONE",
        requestValidatorId=validator,
        requestModels={"application/json": "NoteModel"},
    )
    api.put_integration(
        restApiId=api_id,
        resourceId=notes,
        httpMethod="POST",
        type="HTTP",
        integrationHttpMethod="POST",
        uri=f"{backend_service.url}/notes",
    )

    api.put_method(restApiId=api_id, resourceId=notes, httpMethod="OPTIONS", authorizationType="NONE")
    api.put_integration(
        restApiId=api_id,
        resourceId=notes,
        httpMethod="OPTIONS",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    api.put_method_response(
        restApiId=api_id,
        resourceId=notes,
        httpMethod="OPTIONS",
        statusCode="200",
        responseParameters={name: False for name in CORS_HEADERS},
    )
    api.put_integration_response(
        restApiId=api_id, resourceId=notes, httpMethod="OPTIONS", statusCode="200", responseParameters=CORS_HEADERS
    )
    api.create_deployment(restApiId=api_id, stageName="Prod")
    return {"id": api_id, "notes": notes, "validator": validator}


@pytest.fixture
def invoke_url(notes_api, aws_region):
    return f"https://{notes_api['id']}.execute-api.{aws_region}.amazonaws.com/Prod/notes"


def test_notes_resource_has_get_post_and_options_methods(aws_client, notes_api):
    resource = aws_client("apigateway").get_resource(restApiId=notes_api["id"], resourceId=notes_api["notes"])

    assert resource["path"] == "/notes"
    assert sorted(resource["resourceMethods"]) == ["GET", "OPTIONS", "POST"]


def test_post_checks_the_body_against_the_note_model_with_the_validate_body_validator(aws_client, notes_api):
    api = aws_client("apigateway")
    method = api.get_method(restApiId=notes_api["id"], resourceId=notes_api["notes"], httpMethod="POST")
    validator = api.get_request_validator(restApiId=notes_api["id"], requestValidatorId=method["requestValidatorId"])
    model = api.get_model(restApiId=notes_api["id"], modelName="NoteModel")

    assert method["requestModels"] == {"application/json": "NoteModel"}
    assert (validator["name"], validator["validateRequestBody"]) == ("Validate Body", True)
    assert json.loads(model["schema"])["required"] == ["UserId", "NoteId", "Note"]


def test_mapping_templates_transform_the_request_and_the_response(aws_client, notes_api):
    api = aws_client("apigateway")
    integration = api.get_integration(restApiId=notes_api["id"], resourceId=notes_api["notes"], httpMethod="GET")

    assert integration["requestTemplates"] == {"application/json": GET_TEMPLATE}
    assert integration["integrationResponses"]["200"]["responseTemplates"] == {"application/json": RESPONSE_TEMPLATE}


def test_cors_options_method_answers_with_access_control_allow_headers(aws_client, notes_api):
    api = aws_client("apigateway")
    response = api.get_integration_response(
        restApiId=notes_api["id"], resourceId=notes_api["notes"], httpMethod="OPTIONS", statusCode="200"
    )

    assert response["responseParameters"] == CORS_HEADERS


def test_deployment_to_prod_gives_the_notes_invoke_url_shape(aws_client, notes_api, invoke_url, aws_region):
    stage = aws_client("apigateway").get_stage(restApiId=notes_api["id"], stageName="Prod")

    assert stage["stageName"] == "Prod"
    pattern = rf"https://[a-z0-9]{{10}}\.execute-api\.{aws_region}\.amazonaws\.com/Prod/notes"
    assert re.fullmatch(pattern, invoke_url)
    # the note's URL has the same shape: https://e203cygg8e.execute-api.ap-northeast-1.amazonaws.com/Prod/notes
    assert re.fullmatch(
        pattern.replace(aws_region, "ap-northeast-1"),
        "https://e203cygg8e.execute-api.ap-northeast-1.amazonaws.com/Prod/notes",
    )


@pytest.mark.diverges("moto-server", NOT_SERVED)
def test_get_notes_goes_through_the_http_integration_to_the_backend(invoke_url, backend_service):
    response = requests.get(invoke_url, timeout=10)

    assert response.status_code == 200
    assert backend_service.received[-1]["method"] == "GET"


@pytest.mark.diverges("moto-server", NOT_SERVED)
@pytest.mark.diverges("moto", 'does not apply response mapping templates; AWS returns {"count": 1}')
def test_get_notes_response_is_reshaped_by_the_mapping_template(invoke_url):
    response = requests.get(invoke_url, timeout=10)

    assert response.json() == {"count": 1}


@pytest.mark.diverges("moto-server", NOT_SERVED)
@pytest.mark.diverges("moto", "passes an invalid body to the backend; AWS answers 400 Invalid request body")
def test_post_with_a_body_that_breaks_the_model_is_rejected_with_400(invoke_url, backend_service):
    response = requests.post(invoke_url, json={"UserId": "test"}, timeout=10)

    assert response.status_code == 400
    assert response.json() == {"message": "Invalid request body"}
    assert not [r for r in backend_service.received if r["method"] == "POST"]


@pytest.mark.diverges("moto-server", NOT_SERVED)
@pytest.mark.diverges("moto", "does not run MOCK integrations (NotImplementedError); AWS answers the preflight")
def test_options_preflight_returns_the_cors_headers(invoke_url):
    response = requests.options(invoke_url, headers={"Origin": "https://example.com"}, timeout=10)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
