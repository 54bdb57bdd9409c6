"""Lab 4 (004): event -> DynamoDB note -> Polly speech -> MP3 in S3 -> presigned URL, and the two traps in
the note's event.json: the key ``VoicId`` and the voice "John"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from labkit.data import load_json
from labkit.dynamodb import create_table, put_items
from labkit.report import show

HERE = Path(__file__).parent
NOTES_EVENT = load_json("lambda/event.json")  # {"UserId": "test", "NoteId": "1", "VoicId": "John"}
HANDLER_ERROR = (
    "localstack/localstack:tests/aws/services/lambda_/test_lambda_common.snapshot.json"
    "#test_uncaught_exception_invoke[python3.11]"
)
NOTE_TEXT = "Remember to publish the Lambda function before invoking it."


@pytest.fixture
def notes_function(aws_client, unique_name, lambda_function):
    """The Notes table with note 1 of user "test", the MP3 bucket, and the function wired to both."""
    table, bucket = unique_name("notes"), unique_name("mp3")
    create_table(aws_client("dynamodb"), table, partition_key=("UserId", "S"), sort_key=("NoteId", "N"))
    put_items(aws_client("dynamodb"), table, [{"UserId": "test", "NoteId": 1, "Note": NOTE_TEXT}])
    aws_client("s3").create_bucket(Bucket=bucket)
    function = lambda_function(
        HERE / "lambda_function.py",
        handler="lambda_function.lambda_handler",
        environment={"TABLE_NAME": table, "MP3_BUCKET_NAME": bucket},
        timeout=10,
    )
    function.bucket = bucket
    return function


@pytest.mark.diverges(
    "ministack",
    "answers errorType Runtime.HandlerError for an uncaught exception; AWS answers the exception's class (KeyError)",
    evidence=HANDLER_ERROR,
)
def test_the_notes_event_fails_because_it_spells_voiceid_as_voicid(notes_function):
    result = notes_function.invoke(NOTES_EVENT)

    assert "VoicId" in NOTES_EVENT and "VoiceId" not in NOTES_EVENT
    assert result.function_error == "Unhandled"
    assert (result.error["errorType"], result.error["errorMessage"]) == ("KeyError", "'VoiceId'")


@pytest.mark.diverges(
    "ministack",
    "answers errorType Runtime.HandlerError for an uncaught exception; AWS answers the exception's class (KeyError)",
    evidence=HANDLER_ERROR,
)
def test_a_note_that_is_not_in_the_table_fails_before_polly_is_called(notes_function):
    result = notes_function.invoke({"UserId": "test", "NoteId": "2", "VoiceId": "Joanna"})

    assert result.function_error == "Unhandled"
    assert (result.error["errorType"], result.error["errorMessage"]) == ("KeyError", "'Item'")


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "answers InvalidParameterValue; AWS answers ValidationException",
    evidence="botocore:polly/2016-06-10#VoiceId ; unverified: a recorded SynthesizeSpeech answer to an unknown "
    "VoiceId would settle the code",
    raises=AssertionError,
)
@pytest.mark.uses("polly")
def test_john_is_not_a_polly_voice(notes_function):
    event = {"UserId": "test", "NoteId": "1", "VoiceId": NOTES_EVENT["VoicId"]}
    result = notes_function.invoke(event)

    assert result.function_error == "Unhandled"
    assert result.error["errorType"] == "ClientError"
    assert re.match(r"An error occurred \((\w+)\)", result.error["errorMessage"]).group(1) == "ValidationException"


@pytest.mark.uses("polly")
def test_a_corrected_event_stores_the_mp3_and_returns_a_presigned_url_that_downloads_it(notes_function, aws_client):
    result = notes_function.invoke({"UserId": "test", "NoteId": "1", "VoiceId": "Joanna"})
    assert result.function_error is None, result.logs
    url = result.json()

    stored = aws_client("s3").get_object(Bucket=notes_function.bucket, Key="test/1.mp3")
    audio = stored["Body"].read()
    download = requests.get(url, timeout=10)
    show(f"presigned URL: {url[:90]}...")
    show(f"GET -> {download.status_code} {download.headers.get('Content-Type')}, {len(download.content)} bytes")

    assert stored["ContentType"] == "audio/mpeg"
    assert download.status_code == 200
    assert download.content == audio
    assert requests.get(url.split("?")[0], timeout=10).status_code == 403  # without the signature: refused
