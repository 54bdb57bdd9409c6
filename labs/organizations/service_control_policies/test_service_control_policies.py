"""Service control policies cap what the identities of member accounts may do; they grant nothing.

Enabling the SCP policy type attaches the AWS managed ``FullAWSAccess`` SCP to the root, and every new OU
and account gets it too, so nothing changes until a narrower SCP is attached. What an SCP then denies is
decided by AWS at request time in the member accounts: no emulator here evaluates SCPs, so this lab shows
what Organizations stores and attaches, not a denied request (README).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labkit.iam import deny, policy

pytestmark = pytest.mark.diverges(
    "ministack",
    "answers InvalidAction for CreateOrganization (it models one organization that always exists); AWS "
    "creates the organization, or answers AlreadyInOrganizationException",
    evidence="https://docs.aws.amazon.com/botocore/latest/reference/services/organizations/client/exceptions/"
    "AlreadyInOrganizationException.html",
    raises=ClientError,
)
SCP = "SERVICE_CONTROL_POLICY"
FULL_ACCESS = "p-FullAWSAccess"


@pytest.fixture
def org(aws_client):
    """org() -> (organizations client, root id) of an organization with all features and SCPs enabled; on an
    account that already manages one (real AWS), that one is used. Called in the test itself."""
    return lambda: organization(aws_client("organizations"))


def organization(client):
    try:
        client.create_organization(FeatureSet="ALL")
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "AlreadyInOrganizationException":
            raise
    root = client.list_roots()["Roots"][0]
    if not any(t["Type"] == SCP and t["Status"] == "ENABLED" for t in root.get("PolicyTypes", [])):
        client.enable_policy_type(RootId=root["Id"], PolicyType=SCP)
    return client, root["Id"]


def scps_on(client, target_id):
    return sorted(p["Id"] for p in client.list_policies_for_target(TargetId=target_id, Filter=SCP)["Policies"])


def test_the_root_has_full_aws_access_once_scps_are_enabled(org):
    client, root_id = org()

    assert FULL_ACCESS in scps_on(client, root_id)


def test_full_aws_access_is_an_aws_managed_policy_that_allows_everything(org):
    client, _ = org()

    described = client.describe_policy(PolicyId=FULL_ACCESS)["Policy"]

    assert described["PolicySummary"]["AwsManaged"] is True
    assert json.loads(described["Content"])["Statement"][0] == {"Effect": "Allow", "Action": "*", "Resource": "*"}


def test_a_new_ou_gets_full_aws_access_attached(org, unique_name):
    client, root_id = org()

    ou = client.create_organizational_unit(ParentId=root_id, Name=unique_name("workloads"))["OrganizationalUnit"]

    assert scps_on(client, ou["Id"]) == [FULL_ACCESS]


def test_the_management_account_has_full_aws_access_attached(org):
    client, _ = org()

    account_id = client.describe_organization()["Organization"]["MasterAccountId"]

    assert scps_on(client, account_id) == [FULL_ACCESS]


def test_a_deny_scp_on_an_ou_is_accepted_and_stored_beside_full_aws_access(org, unique_name):
    client, root_id = org()
    ou = client.create_organizational_unit(ParentId=root_id, Name=unique_name("sandbox"))["OrganizationalUnit"]
    document = policy(deny("s3:DeleteBucket"))

    scp = client.create_policy(Name=unique_name("no-bucket-deletion"), Description="labs", Type=SCP, Content=document)[
        "Policy"
    ]["PolicySummary"]
    client.attach_policy(PolicyId=scp["Id"], TargetId=ou["Id"])

    assert scps_on(client, ou["Id"]) == sorted([FULL_ACCESS, scp["Id"]])
    assert json.loads(client.describe_policy(PolicyId=scp["Id"])["Policy"]["Content"]) == json.loads(document)
