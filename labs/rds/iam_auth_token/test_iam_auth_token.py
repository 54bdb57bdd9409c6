"""IAM database authentication: instead of a password, a client presents a token. ``generate_db_auth_token`` makes
it on the client, with no call to AWS: a SigV4-presigned ``connect`` URL for one database user, valid 15 minutes.
The database accepts it only if IAM authentication is enabled on the instance (at creation or later), and the
caller's IAM policy allows ``rds-db:connect`` (not shown: no emulator here runs the database)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from labkit.compute import create_db, describe_db, wait_for_db
from labkit.eventually import TRANSITION, eventually
from labkit.report import show_table

HOST, PORT, USER = "shop.example.internal", 5432, "app_reader"


def token_parts(token):
    """(host:port, query parameters) of a token: it is a URL without its scheme."""
    parts = urlsplit(f"https://{token}")
    return parts.netloc, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_the_token_is_made_without_calling_aws(rds):
    calls = []
    rds.meta.events.register("before-call.rds.*", lambda model, **_: calls.append(model.name))

    token = rds.generate_db_auth_token(DBHostname=HOST, Port=PORT, DBUsername=USER)

    assert token and calls == []  # presigned locally: no request left the client


def test_the_token_is_a_connect_url_for_one_user_valid_for_15_minutes(rds):
    where, query = token_parts(rds.generate_db_auth_token(DBHostname=HOST, Port=PORT, DBUsername=USER))

    show_table("the token", ["part", "value"], [["host:port", where], *[[k, v[:40]] for k, v in sorted(query.items())]])
    assert where == f"{HOST}:{PORT}"
    assert (query["Action"], query["DBUser"]) == ("connect", USER)
    assert query["X-Amz-Expires"] == "900"  # seconds: 15 minutes


def test_the_token_is_signed_with_the_callers_key_for_rds_db_in_the_region(rds, aws_region):
    _, query = token_parts(rds.generate_db_auth_token(DBHostname=HOST, Port=PORT, DBUsername=USER))

    key, _date, region, service, terminator = query["X-Amz-Credential"].split("/")
    assert key == rds._request_signer._credentials.get_frozen_credentials().access_key
    assert (region, service, terminator) == (aws_region, "rds-db", "aws4_request")
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"


def test_iam_authentication_is_off_on_a_new_instance(plain_db):
    assert plain_db["IAMDatabaseAuthenticationEnabled"] is False


def test_enabling_iam_authentication_later_is_accepted_and_stored(rds, plain_db, backend):
    name = plain_db["DBInstanceIdentifier"]

    rds.modify_db_instance(DBInstanceIdentifier=name, EnableIAMDatabaseAuthentication=True, ApplyImmediately=True)

    wait_for_db(rds, name, backend)  # AWS applies it in the background (the instance is modifying meanwhile)
    assert eventually(lambda: describe_db(rds, name)["IAMDatabaseAuthenticationEnabled"], backend, **TRANSITION) is True


def test_enabling_iam_authentication_at_creation_is_accepted_and_stored(rds, unique_name, backend):
    db = create_db(rds, unique_name("db"), backend, EnableIAMDatabaseAuthentication=True)

    assert db["IAMDatabaseAuthenticationEnabled"] is True
    assert db["DbiResourceId"].startswith("db-")  # what an rds-db:connect policy names: dbuser:<DbiResourceId>/<user>
