"""Presigned URLs: anyone holding the URL acts as the signer, for one object, one method, a limited time."""

from __future__ import annotations

import datetime
import json
import urllib.request
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from botocore.config import Config

from labkit.eventually import eventually
from labkit.iam import allow, create_user_with_key, credentials_of, iam_enforced, policy
from labkit.report import show_table
from labkit.s3 import require_ministack_access_rules, xml_error

SIGV4 = Config(signature_version="s3v4")
SEVEN_DAYS = 7 * 24 * 3600  # 604800 s: a SigV4 signing key is valid for at most a week

SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3.snapshot.json"
PRESIGNED_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html"
QUERY_AUTH_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html"
PRIVATE_BY_DEFAULT_DOC = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html"
)


@pytest.fixture
def private_object(s3, bucket):
    """A private object (no ACL grant, no bucket policy): only signed requests may read it."""
    s3.put_object(Bucket=bucket, Key="report.txt", Body=b"quarterly numbers")
    return bucket, "report.txt"


def presign_get(s3, bucket, key, **options):
    return s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, **options)


def query_of(url):
    return parse_qs(urlsplit(url).query)


def expires_of(url):
    return int(query_of(url)["X-Amz-Expires"][0])


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
    evidence=PRIVATE_BY_DEFAULT_DOC,
)
def test_unsigned_get_of_a_private_object_is_403(s3, private_object, backend):
    require_ministack_access_rules(backend)
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


def test_botocore_presigns_with_sigv2_by_default_in_us_east_1(aws_client, private_object):
    """No signature_version configured: botocore (for backwards compatibility) signs S3 URLs with SigV2 in the
    regions that ever supported it, us-east-1 among them. The conftest's `s3` client asks for SigV4."""
    default_client = aws_client("s3", region_name="us-east-1")

    url = presign_get(default_client, *private_object)

    query = query_of(url)
    assert {"AWSAccessKeyId", "Signature", "Expires"} <= set(query)  # SigV2: an absolute Expires time
    assert "X-Amz-Algorithm" not in query


def test_botocore_presigns_with_sigv4_when_configured(s3, private_object):
    url = presign_get(s3, *private_object)

    assert query_of(url)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]


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
    ("moto", "moto-server", "localstack"),
    "serves a URL signed for 604801 s; AWS answers 400 AuthorizationQueryParametersError (X-Amz-Expires must be "
    "less than a week)",
    evidence=f"{QUERY_AUTH_DOC} ; https://docs.aws.amazon.com/cli/latest/reference/s3/presign.html",
)
def test_s3_rejects_a_url_valid_for_more_than_seven_days(s3, private_object, backend):
    require_ministack_access_rules(backend)
    response = requests.get(presign_get(s3, *private_object, ExpiresIn=SEVEN_DAYS + 1), timeout=10)

    assert response.status_code == 400
    assert xml_error(response.content)[0] == "AuthorizationQueryParametersError"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "serves an expired URL; AWS answers 403 AccessDenied 'Request has expired'",
    evidence=f"{SNAPSHOTS}#TestS3PresignedUrl::test_s3_presigned_url_expired[s3v4]",
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
    evidence=f"{SNAPSHOTS}#TestS3PresignedUrl::test_presigned_url_signature_authentication[s3v4-False]",
)
def test_a_url_edited_to_point_at_another_object_is_rejected(s3, private_object):
    bucket, key = private_object
    s3.put_object(Bucket=bucket, Key="salaries.txt", Body=b"secret")
    url = presign_get(s3, bucket, key)

    response = requests.get(url.replace(f"/{key}?", "/salaries.txt?"), timeout=10)

    assert response.status_code == 403
    assert xml_error(response.content)[0] == "SignatureDoesNotMatch"


# --- the signer's permissions, checked when the URL is used --------------------------------------------------

MOTO_NO_PRESIGNED_IAM = (
    "its IAM check reads only the Authorization header, so a presigned request under IAM enforcement fails "
    "with 500 (KeyError HTTP_AUTHORIZATION); AWS evaluates the signer's policies when the URL is used"
)


@pytest.fixture
def signer(aws_client, unique_name, private_object):
    """An IAM user allowed s3:GetObject on the private object's bucket; returns (its IAM name, its S3 client)."""
    name = unique_name("signer")
    read = policy(allow("s3:GetObject", f"arn:aws:s3:::{private_object[0]}/*"))
    keys = create_user_with_key(aws_client("iam"), name, {"read": read})
    return name, aws_client("s3", config=SIGV4, **keys)


@pytest.mark.diverges(("moto", "moto-server"), MOTO_NO_PRESIGNED_IAM, evidence=PRESIGNED_DOC)
def test_a_url_stops_working_when_the_signer_loses_the_permission(aws_client, backend, signer, private_object):
    user, signer_s3 = signer
    url = presign_get(signer_s3, *private_object)
    with iam_enforced(backend):
        assert requests.get(url, timeout=10).status_code == 200  # the signer may read: so may the URL's holder

    aws_client("iam").delete_user_policy(UserName=user, PolicyName="read")  # revoked after signing

    with iam_enforced(backend):  # IAM changes reach S3 within seconds on AWS: poll there
        body = eventually(lambda: (r := requests.get(url, timeout=10)).status_code == 403 and r.content, backend)
    assert xml_error(body or b"")[0] == "AccessDenied"  # body: the 403 answer's XML (False if never refused)


@pytest.mark.diverges(("moto", "moto-server"), MOTO_NO_PRESIGNED_IAM, evidence=PRESIGNED_DOC)
def test_a_url_signed_by_someone_without_the_permission_is_refused(aws_client, backend, unique_name, private_object):
    keys = create_user_with_key(aws_client("iam"), unique_name("nobody"))  # no policy at all
    url = presign_get(aws_client("s3", config=SIGV4, **keys), *private_object)  # signing itself always works

    with iam_enforced(backend):
        response = requests.get(url, timeout=10)

    assert response.status_code == 403
    assert xml_error(response.content)[0] == "AccessDenied"


def test_a_url_signed_with_temporary_credentials_carries_their_session_token(
    aws_client, unique_name, aws_account_id, private_object
):
    """The URL embeds the session token, so it can live no longer than the session (see the README)."""
    iam, name = aws_client("iam"), unique_name("reader")
    trust = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{aws_account_id}:root"}, "Action": "sts:AssumeRole"}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
                                                                                "Statement": [trust]}))  # fmt: skip
    session = aws_client("sts").assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="presign", DurationSeconds=900)

    url = presign_get(aws_client("s3", config=SIGV4, **credentials_of(session["Credentials"])), *private_object)

    assert query_of(url)["X-Amz-Security-Token"] == [session["Credentials"]["SessionToken"]]
