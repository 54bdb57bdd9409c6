"""One group policy names ``home/${aws:username}/*``: at request time IAM puts the caller's user name in,
so every member reaches only their own prefix of the bucket.

The policy is attached once, to a group with two members, alice and bob. Decisions are shown only where the
backend checks IAM (``labkit.iam.iam_enforced``).
"""

from __future__ import annotations

import json

import pytest

from labkit.errors import error_code
from labkit.iam import allow, create_user_with_key, iam_enforced, policy, require_iam_checks
from labkit.report import show_table

VARIABLES_DOCS = "https://docs.amazonaws.cn/en_us/IAM/latest/UserGuide/reference_policies_variables.md"


def home_policy(bucket):
    """The note's dynamic policy: each user may read and write under home/<their user name>/ only."""
    return policy(allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{bucket}/home/${{aws:username}}/*"))


@pytest.fixture
def homes(aws_client, unique_name, backend):
    """(bucket, {"alice": (user name, credentials), "bob": ...}) with one object in each home."""
    require_iam_checks(backend)
    iam, s3 = aws_client("iam"), aws_client("s3")
    bucket = unique_name("homes")
    s3.create_bucket(Bucket=bucket)
    group = unique_name("staff")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="own-home", PolicyDocument=home_policy(bucket))
    people = {}
    for who in ("alice", "bob"):
        name = unique_name(who)
        people[who] = (name, create_user_with_key(iam, name))
        iam.add_user_to_group(GroupName=group, UserName=name)
        s3.put_object(Bucket=bucket, Key=f"home/{name}/notes.txt", Body=who.encode())
    return bucket, people


def test_iam_stores_the_variable_unresolved(aws_client, unique_name):
    iam = aws_client("iam")
    group = unique_name("staff")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="own-home", PolicyDocument=home_policy("homes"))

    stored = iam.get_group_policy(GroupName=group, PolicyName="own-home")["PolicyDocument"]
    iam.delete_group_policy(GroupName=group, PolicyName="own-home")

    resource = (json.loads(stored) if isinstance(stored, str) else stored)["Statement"][0]["Resource"]
    assert resource == "arn:aws:s3:::homes/home/${aws:username}/*"  # resolved per request, not when stored


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "does not substitute ${aws:username} in Resource, so the user's own prefix is denied; AWS allows it",
    evidence=VARIABLES_DOCS,
)
def test_a_user_reads_their_own_prefix(aws_client, backend, homes):
    bucket, people = homes
    alice, creds = people["alice"]

    with iam_enforced(backend):
        body = aws_client("s3", **creds).get_object(Bucket=bucket, Key=f"home/{alice}/notes.txt")["Body"].read()

    assert body == b"alice"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "does not substitute ${aws:username} in Resource (bob is denied his own prefix); AWS puts in the caller's name",
    evidence=VARIABLES_DOCS,
)
def test_a_user_is_denied_another_users_prefix(aws_client, backend, homes):
    bucket, people = homes
    (_, alice_creds), (bob, bob_creds) = people["alice"], people["bob"]

    with iam_enforced(backend):
        s3_alice, s3_bob = aws_client("s3", **alice_creds), aws_client("s3", **bob_creds)
        seen = {
            "alice reads bob's": error_code(s3_alice.get_object, Bucket=bucket, Key=f"home/{bob}/notes.txt"),
            "alice writes bob's": error_code(s3_alice.put_object, Bucket=bucket, Key=f"home/{bob}/x", Body=b"x"),
            "bob reads his own": error_code(s3_bob.get_object, Bucket=bucket, Key=f"home/{bob}/notes.txt"),
        }
    show_table("home/${aws:username}/*", ["request", "outcome"], seen.items())

    assert seen == {
        "alice reads bob's": "AccessDenied",
        "alice writes bob's": "AccessDenied",
        "bob reads his own": "allowed",
    }
