"""Static website hosting: the bucket's website endpoint serves an index document for "/" and for folder-like
paths, and an error document (with 404) for missing keys; only objects anyone may read."""

from __future__ import annotations

import pytest

from labkit.s3 import get_website

WEBSITE = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}
PAGES = {"index.html": b"<h1>Home</h1>", "error.html": b"<h1>Not here</h1>", "docs/index.html": b"<h1>Docs</h1>"}

ENDPOINTS_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html"
PERMISSIONS_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteAccessPermissionsReqd.html"
SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3.snapshot.json"
NOT_SERVED = ("moto", "moto-server", "ministack")
not_served = pytest.mark.diverges(
    NOT_SERVED,
    "has no website endpoint: a request for the website host is answered by the REST API (a bucket listing or a "
    "NoSuchKey XML error); AWS serves the index and error documents",
    evidence=ENDPOINTS_DOC,
)


@pytest.fixture
def site(s3, bucket):
    """A bucket configured as a website, with three pages; not yet readable by anyone."""
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=WEBSITE)
    for key, body in PAGES.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/html")
    return bucket


@pytest.fixture
def public_site(s3, site, public_read_policy):
    """The website, made public the way 002 describes: Block Public Access off, then a public-read policy.
    (On AWS the account's own Block Public Access settings must allow it too.)"""
    s3.delete_public_access_block(Bucket=site)
    s3.put_bucket_policy(Bucket=site, Policy=public_read_policy(site))
    return site


def test_the_website_configuration_is_accepted_and_stored(s3, site):
    stored = s3.get_bucket_website(Bucket=site)

    assert (stored["IndexDocument"], stored["ErrorDocument"]) == (WEBSITE["IndexDocument"], WEBSITE["ErrorDocument"])


@not_served
def test_the_website_endpoint_serves_the_index_document_for_the_root(backend, public_site):
    response = get_website(backend, public_site, "/")

    assert (response.status_code, response.content) == (200, b"<h1>Home</h1>")
    assert response.headers["Content-Type"] == "text/html"


@not_served
def test_a_folder_path_gets_that_folders_index_document(backend, public_site):
    response = get_website(backend, public_site, "/docs/")

    assert (response.status_code, response.content) == (200, b"<h1>Docs</h1>")


@pytest.mark.diverges(
    NOT_SERVED,
    "has no website endpoint: a missing key is a NoSuchKey XML error; AWS serves the error document with 404",
    evidence=f"{ENDPOINTS_DOC} ; {SNAPSHOTS}#TestS3StaticWebsiteHosting::test_website_hosting_404",
)
def test_a_missing_page_gets_the_error_document_with_404(backend, public_site):
    response = get_website(backend, public_site, "/nope.html")

    assert (response.status_code, response.content) == (404, b"<h1>Not here</h1>")


@pytest.mark.diverges(
    (*NOT_SERVED, "localstack"),
    "has no website answer for a bucket nobody may read (LocalStack serves the page: no access control without "
    "ENFORCE_IAM; moto serves the REST API listing; MiniStack answers the REST API's XML error, or the listing "
    "without AUTH=true); AWS's website endpoint answers 403 with an HTML error page",
    evidence=f"{PERMISSIONS_DOC} ; {SNAPSHOTS}#TestS3StaticWebsiteHosting::test_website_hosting_no_such_website",
)
def test_a_website_whose_objects_are_not_public_answers_403(backend, site):
    response = get_website(backend, site, "/")

    assert response.status_code == 403
    assert response.text.startswith("<html>")  # the website endpoint's error pages are HTML, the REST API's XML
