"""Presigned URLs: anyone holding the URL acts as the signer, for one object, one method, a limited time."""

from __future__ import annotations

import datetime
import urllib.request
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from labkit.report import show_table
from labkit.s3 import xml_error

SEVEN_DAYS = 7 * 24 * 3600  # 604800 s: a SigV4 signing key is valid for at most a week


@pytest.fixture
def private_object(s3, bucket):
    """A private object (no ACL grant, no bucket policy): only signed requests may read it."""
    s3.put_object(Bucket=bucket, Key="report.txt", Body=b"quarterly numbers")
    return bucket, "report.txt"


def presign_get(s3, bucket, key, **options):
    return s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, **options)


def expires_of(url):
    return int(parse_qs(urlsplit(url).query)["X-Amz-Expires"][0])


def test_presigned_get_url_downloads_a_private_object(s3, private_object):
    url = presign_get(s3, *private_object)

    response = requests.get(url, timeout=10)

    assert response.status_code == 200
    assert response.content == b"quarterly numbers"


@pytest.mark.needs("http-endpoint")
def test_presigned_get_url_works_with_the_standard_library_too(s3, private_object):
    with urllib.request.urlopen(presign_get(s3, *private_object), timeout=10) as response:  # noqa: S310
        assert (response.status, response.read()) == (200, b"quarterly numbers")


@pytest.mark.diverges(
    "localstack",
    "serves an anonymous GET of a private object (no access control without ENFORCE_IAM); AWS answers 403",
)
def test_unsigned_get_of_a_private_object_is_403(s3, private_object):
    signed = presign_get(s3, *private_object)
    unsigned = signed.split("?", 1)[0]  # the same object, without the signature

    response = requests.get(unsigned, timeout=10)

    assert response.status_code == 403


def test_presigned_put_url_uploads_an_object(s3, bucket):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "upload.txt"})

    response = requests.put(url, data=b"sent by a client without credentials", timeout=10)

    assert response.status_code == 200
    assert s3.get_object(Bucket=bucket, Key="upload.txt")["Body"].read() == b"sent by a client without credentials"


def test_presigned_post_uploads_a_file_like_a_browser_form(s3, bucket):
    form = s3.generate_presigned_post(
        bucket,
        "avatars/me.png",
        Fields={"Content-Type": "image/png"},
        Conditions=[{"Content-Type": "image/png"}, ["content-length-range", 1, 1024]],
        ExpiresIn=300,
    )

    # A multipart/form-data POST, exactly what an HTML <form enctype="multipart/form-data"> sends.
    response = requests.post(form["url"], data=form["fields"], files={"file": ("me.png", b"\x89PNG...")}, timeout=10)

    assert response.status_code == 204  # S3's default success_action_status
    head = s3.head_object(Bucket=bucket, Key="avatars/me.png")
    assert (head["ContentType"], head["ContentLength"]) == ("image/png", 7)


def test_default_expiry_is_3600_seconds(s3, private_object):
    assert expires_of(presign_get(s3, *private_object)) == 3600


def test_botocore_signs_any_expiry_without_checking_the_seven_day_limit(s3, private_object):
    week = presign_get(s3, *private_object, ExpiresIn=SEVEN_DAYS)
    too_long = presign_get(s3, *private_object, ExpiresIn=SEVEN_DAYS + 1)  # no error here: S3 is the judge

    show_table(
        "presigned GET URLs",
        ["ExpiresIn", "X-Amz-Expires"],
        [[SEVEN_DAYS, expires_of(week)], [SEVEN_DAYS + 1, expires_of(too_long)]],
    )
    assert (expires_of(week), expires_of(too_long)) == (604800, 604801)


def test_a_url_valid_for_exactly_seven_days_is_accepted(s3, private_object):
    response = requests.get(presign_get(s3, *private_object, ExpiresIn=SEVEN_DAYS), timeout=10)

    assert response.status_code == 200


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "serves a URL signed for 604801 s; AWS answers 400 "
    "AuthorizationQueryParametersError (X-Amz-Expires must be less than a week)",
)
@pytest.mark.diverges(
    "localstack", "serves a URL signed for 604801 s; AWS answers 400 AuthorizationQueryParametersError"
)
def test_s3_rejects_a_url_valid_for_more_than_seven_days(s3, private_object):
    response = requests.get(presign_get(s3, *private_object, ExpiresIn=SEVEN_DAYS + 1), timeout=10)

    assert response.status_code == 400
    assert xml_error(response.content)[0] == "AuthorizationQueryParametersError"


@pytest.mark.diverges(
    ("moto", "moto-server"), "serves an expired URL; AWS answers 403 AccessDenied 'Request has expired'"
)
def test_an_expired_url_is_rejected(s3, private_object):
    # Sign as if it were two hours ago, valid for one hour: expired an hour ago, no sleeping needed.
    two_hours_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
    with mock.patch("botocore.auth.get_current_datetime", return_value=two_hours_ago):
        url = presign_get(s3, *private_object, ExpiresIn=3600)

    response = requests.get(url, timeout=10)

    assert response.status_code == 403
    assert xml_error(response.content) == ("AccessDenied", "Request has expired")


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "serves another object through a URL signed for the first; AWS answers 403 SignatureDoesNotMatch",
)
def test_a_url_edited_to_point_at_another_object_is_rejected(s3, private_object):
    bucket, key = private_object
    s3.put_object(Bucket=bucket, Key="salaries.txt", Body=b"secret")
    url = presign_get(s3, bucket, key)

    response = requests.get(url.replace(f"/{key}?", "/salaries.txt?"), timeout=10)

    assert response.status_code == 403
    assert xml_error(response.content)[0] == "SignatureDoesNotMatch"
