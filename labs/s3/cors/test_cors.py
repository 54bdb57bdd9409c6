"""CORS: the browser asks first (a preflight OPTIONS), and S3 answers from the bucket's CORS rules."""

from __future__ import annotations

import pytest
import requests

from labkit.s3 import require_ministack_access_rules, xml_error

needs_http = pytest.mark.needs("http-endpoint")  # a real HTTP client (a browser stand-in) talks to S3
CORS_SNAPSHOT = (
    "localstack/localstack:tests/aws/services/s3/test_s3_cors.snapshot.json#TestS3Cors::test_cors_match_origins"
)
OPTIONS_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html"
EVIDENCE = f"{CORS_SNAPSHOT} ; {OPTIONS_DOC}"
#: MiniStack answers from the bucket's rules, as AWS does, when started with AUTH=true (as the harness starts it);
#: without it, it answers every request with blanket CORS headers, so these tests skip there.
ministack_applies_the_rules = pytest.mark.usefixtures("ministack_with_access_rules")
APP = "https://app.example.com"
RULES = {
    "CORSRules": [
        {
            "AllowedOrigins": [APP],
            "AllowedMethods": ["GET", "PUT"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 600,
        }
    ]
}


@pytest.fixture
def ministack_with_access_rules(backend):
    require_ministack_access_rules(backend)


@pytest.fixture
def site_bucket(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    s3.put_object(Bucket=bucket, Key="photo.jpg", Body=b"jpeg")
    return bucket


def preflight(s3, path, origin, method="PUT"):
    """What a browser sends before a cross-origin PUT from a page served by ``origin``."""
    return requests.options(
        f"{s3.meta.endpoint_url}/{path}",
        headers={"Origin": origin, "Access-Control-Request-Method": method},
        timeout=10,
    )


def cors_headers(response):
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def test_cors_rules_are_accepted_and_stored(s3, site_bucket):
    assert s3.get_bucket_cors(Bucket=site_bucket)["CORSRules"] == RULES["CORSRules"]


@needs_http
@ministack_applies_the_rules
def test_preflight_from_the_allowed_origin_gets_the_configured_headers(s3, site_bucket):
    response = preflight(s3, site_bucket, APP)

    assert response.status_code == 200
    headers = cors_headers(response)
    assert headers["Access-Control-Allow-Origin"] == APP
    assert headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert headers["Access-Control-Max-Age"] == "600"


@needs_http
@ministack_applies_the_rules
def test_preflight_from_another_origin_is_403(s3, site_bucket):
    response = preflight(s3, site_bucket, "https://evil.example.net")

    assert response.status_code == 403
    assert xml_error(response.content)[0] == "AccessForbidden"


@needs_http
@ministack_applies_the_rules
@pytest.mark.diverges(
    "moto-server",
    "the server's blanket CORS layer echoes any Origin back; AWS sends no Access-Control-* header",
    evidence=EVIDENCE,
)
def test_preflight_from_another_origin_gets_no_allow_origin_header(s3, site_bucket):
    response = preflight(s3, site_bucket, "https://evil.example.net")

    assert "Access-Control-Allow-Origin" not in response.headers


@needs_http
@ministack_applies_the_rules
@pytest.mark.diverges(
    "moto-server",
    "answers a preflight on an object key with 403 and every method; AWS evaluates the bucket's rules",
    evidence=EVIDENCE,
)
def test_preflight_for_an_object_key_gets_the_configured_headers(s3, site_bucket):
    response = preflight(s3, f"{site_bucket}/photo.jpg", APP)

    assert response.status_code == 200
    assert cors_headers(response)["Access-Control-Allow-Methods"] == "GET, PUT"


@needs_http
@ministack_applies_the_rules
def test_a_cross_origin_get_carries_allow_origin_for_the_allowed_origin(s3, site_bucket):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": site_bucket, "Key": "photo.jpg"})

    response = requests.get(url, headers={"Origin": APP}, timeout=10)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP
