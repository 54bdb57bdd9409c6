"""Lab 5 (004): the /notes API built as the note builds it, with a Lambda function behind GET and POST (the
non-proxy "Lambda Function" integration, shaped by mapping templates), a model and a body validator on POST,
an OPTIONS method for CORS, deployed to Prod, and called over HTTP where the backend runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from labkit.lambda_runtime import create_role, package

HERE = Path(__file__).parent
STAGE = "Prod"
NOTE_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Note",
    "type": "object",
    "properties": {"UserId": {"type": "string"}, "NoteId": {"type": "integer"}, "Note": {"type": "string"}},
    "required": ["UserId", "NoteId", "Note"],
}
GET_TEMPLATE = '{"action": "list", "userId": "$input.params(\'userId\')"}'
POST_TEMPLATE = '{"action": "add", "note": $input.json(\'$\')}'
RESPONSE_TEMPLATE = "#set($body = $input.path('$'))\n{\"count\": $body.notes.size()}"
CORS_HEADERS = {
    "method.response.header.Access-Control-Allow-Origin": "'*'",
    "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
}
MAPPING = "https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html"
VALIDATION = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html ; "
    "localstack/localstack:tests/aws/services/apigateway/test_apigateway_common.snapshot.json"
    "#test_api_gateway_request_validator"
)
CORS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html"
NO_TEMPLATES = (
    "does not apply mapping templates to a Lambda (AWS) integration: the function gets the proxy event and its "
    "result comes back as it is"
)
NOT_SERVED = "moto server does not serve execute-api URLs (in-process moto does)"


def invoke_url(backend, api_id, path):
    """The stage's URL for ``path``: AWS's (in-process moto intercepts it), or the emulator's path form
    ``{endpoint}/restapis/{id}/{stage}/_user_request_{path}`` (LocalStack and MiniStack serve it)."""
    if backend.endpoint_url:
        return f"{backend.endpoint_url}/restapis/{api_id}/{STAGE}/_user_request_{path}"
    return f"https://{api_id}.execute-api.{backend.region}.amazonaws.com/{STAGE}{path}"


@pytest.fixture
def notes_function(aws_client, unique_name):
    """The function behind /notes: created, not waited for (the configuration tests need only its ARN)."""
    role = create_role(aws_client("iam"), unique_name("notes-role"))
    return aws_client("lambda").create_function(
        FunctionName=unique_name("notes"),
        Runtime="python3.12",
        Role=role,
        Handler="notes_function.lambda_handler",
        Code={"ZipFile": package([HERE / "notes_function.py"])},
    )


@pytest.fixture
def notes_api(aws_client, unique_name, notes_function, aws_region, aws_account_id):
    """The API of Lab 5: /notes with GET and POST (Lambda integrations with mapping templates), OPTIONS (MOCK,
    for CORS), the invoke permission for API Gateway, deployed to Prod."""
    api = aws_client("apigateway")
    api_id = api.create_rest_api(name=unique_name("notes-api"))["id"]
    root = next(r["id"] for r in api.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    notes = api.create_resource(restApiId=api_id, parentId=root, pathPart="notes")["id"]
    api.create_model(restApiId=api_id, name="NoteModel", contentType="application/json", schema=json.dumps(NOTE_SCHEMA))
    validator = api.create_request_validator(
        restApiId=api_id, name="Validate Body", validateRequestBody=True, validateRequestParameters=False
    )["id"]
    function_uri = (
        f"arn:aws:apigateway:{aws_region}:lambda:path/2015-03-31/functions/{notes_function['FunctionArn']}/invocations"
    )

    api.put_method(restApiId=api_id, resourceId=notes, httpMethod="GET", authorizationType="NONE")
    api.put_integration(
        restApiId=api_id,
        resourceId=notes,
        httpMethod="GET",
        type="AWS",
        integrationHttpMethod="POST",
        uri=function_uri,
        requestTemplates={"application/json": GET_TEMPLATE},
        passthroughBehavior="WHEN_NO_TEMPLATES",
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
        type="AWS",
        integrationHttpMethod="POST",
        uri=function_uri,
        requestTemplates={"application/json": POST_TEMPLATE},
        passthroughBehavior="WHEN_NO_TEMPLATES",
    )
    api.put_method_response(restApiId=api_id, resourceId=notes, httpMethod="POST", statusCode="200")
    api.put_integration_response(restApiId=api_id, resourceId=notes, httpMethod="POST", statusCode="200")

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
    aws_client("lambda").add_permission(
        FunctionName=notes_function["FunctionName"],
        StatementId="apigateway-notes",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{aws_region}:{aws_account_id}:{api_id}/*/*/notes",
    )
    deployment = api.create_deployment(restApiId=api_id, stageName=STAGE)
    return {"id": api_id, "notes": notes, "validator": validator, "deployment": deployment["id"]}


@pytest.fixture
def notes_url(notes_api, notes_function, backend, aws_client):
    """The deployed /notes URL, once the function behind it is Active."""
    aws_client("lambda").get_waiter("function_active_v2").wait(
        FunctionName=notes_function["FunctionName"], WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    return invoke_url(backend, notes_api["id"], "/notes")


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


def test_mapping_templates_are_accepted_and_stored_on_the_integration(aws_client, notes_api):
    api = aws_client("apigateway")
    integration = api.get_integration(restApiId=notes_api["id"], resourceId=notes_api["notes"], httpMethod="GET")

    assert integration["requestTemplates"] == {"application/json": GET_TEMPLATE}
    assert integration["integrationResponses"]["200"]["responseTemplates"] == {"application/json": RESPONSE_TEMPLATE}


def test_deployment_to_prod_creates_the_prod_stage_on_that_deployment(aws_client, notes_api):
    stage = aws_client("apigateway").get_stage(restApiId=notes_api["id"], stageName=STAGE)

    assert (stage["stageName"], stage["deploymentId"]) == (STAGE, notes_api["deployment"])


@pytest.mark.needs("lambda-execution")
@pytest.mark.diverges("ministack", NO_TEMPLATES, evidence=MAPPING)
def test_get_notes_runs_the_function_and_the_response_template_reshapes_its_result(notes_url):
    response = requests.get(notes_url, params={"userId": "test"}, timeout=30)

    assert response.status_code == 200
    assert response.json() == {"count": 1}  # the function answered {"notes": [...]}


@pytest.mark.needs("lambda-execution")
@pytest.mark.diverges("ministack", NO_TEMPLATES, evidence=MAPPING)
def test_the_request_template_passes_the_query_string_to_the_function(notes_url):
    response = requests.get(notes_url, params={"userId": "nobody"}, timeout=30)

    assert response.json() == {"count": 0}


@pytest.mark.needs("lambda-execution")
@pytest.mark.diverges("ministack", NO_TEMPLATES, evidence=MAPPING)
def test_post_with_a_valid_note_reaches_the_function(notes_url):
    note = {"UserId": "test", "NoteId": 2, "Note": "second"}
    response = requests.post(notes_url, json=note, timeout=30)

    assert response.status_code == 200
    assert response.json() == {"stored": note}


@pytest.mark.diverges("moto-server", NOT_SERVED, evidence=VALIDATION)
@pytest.mark.diverges(
    "moto", "passes an invalid body to the integration; AWS answers 400 Invalid request body", evidence=VALIDATION
)
def test_post_with_a_body_that_breaks_the_model_is_rejected_with_400(notes_api, backend):
    response = requests.post(invoke_url(backend, notes_api["id"], "/notes"), json={"UserId": "test"}, timeout=30)

    assert response.status_code == 400
    assert response.json() == {"message": "Invalid request body"}


@pytest.mark.diverges("moto-server", NOT_SERVED, evidence=CORS)
@pytest.mark.diverges(
    "moto", "does not run MOCK integrations (NotImplementedError); AWS answers the preflight", evidence=CORS
)
def test_options_preflight_is_answered_by_the_mock_integration_with_the_cors_headers(notes_api, backend):
    url = invoke_url(backend, notes_api["id"], "/notes")
    response = requests.options(url, headers={"Origin": "https://example.com"}, timeout=30)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
