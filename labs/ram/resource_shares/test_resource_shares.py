"""AWS RAM shares resources the owner keeps: a share names the resources and the principals that may use them.

An account outside the owner's organization is an *external* principal: it gets an invitation it must accept
before the resources appear there. Inside an organization that has sharing turned on
(EnableSharingWithAwsOrganization, from the management account), a share can name the whole organization (or an
OU), and no invitation is sent. Sharing changes nothing in the owner's account: the resources stay its own.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.errors import error_code
from labkit.eventually import eventually, retry_while
from labkit.governance import AWS_SETTLE_SECONDS, ignore_missing
from labkit.network import create_subnet, create_vpc, zones
from labkit.report import show_table

RAM_MODEL = "botocore:ram/2018-01-04"
ASSOCIATION_DOC = "https://docs.aws.amazon.com/ram/latest/APIReference/API_ResourceShareAssociation.html"
PREFIX_LIST_SHARING = "https://docs.aws.amazon.com/vpc/latest/userguide/work-with-shared-prefixes.html"
#: A share and its associations settle in seconds on AWS; an emulator is looked at once.
AWS_SECONDS = 120


@pytest.fixture
def share(aws_client, unique_name):
    """``share(resources, principals)`` -> the new share's ARN; every share is deleted when the test ends."""
    ram = aws_client("ram")
    made = []

    def make(resources, principals):
        created = ram.create_resource_share(name=unique_name("share"), resourceArns=resources, principals=principals)
        made.append(created["resourceShare"]["resourceShareArn"])
        return made[-1]

    yield make
    for arn in made:
        ignore_missing(ram.delete_resource_share, resourceShareArn=arn)


@pytest.fixture
def prefix_list(aws_client, unique_name, backend):
    """A customer-managed prefix list (a resource RAM can share with any account); deleted after its shares."""
    ec2 = aws_client("ec2")
    created = ec2.create_managed_prefix_list(
        PrefixListName=unique_name("office"),
        MaxEntries=2,
        AddressFamily="IPv4",
        Entries=[{"Cidr": "203.0.113.0/24", "Description": "office"}],
    )["PrefixList"]
    yield created["PrefixListArn"]
    # a prefix list still shared cannot go: on AWS the share's deletion finishes in the background
    retry_while(
        ("InvalidPrefixListModification", "IncorrectState"),
        lambda **kw: ignore_missing(ec2.delete_managed_prefix_list, **kw),
        backend,
        aws_seconds=AWS_SETTLE_SECONDS,
        PrefixListId=created["PrefixListId"],
    )


def associations(ram, share_arn, kind):
    """{associated entity: association} of this share's PRINCIPAL or RESOURCE associations."""
    found = ram.get_resource_share_associations(associationType=kind, resourceShareArns=[share_arn])
    return {a["associatedEntity"]: a for a in found["resourceShareAssociations"]}


def test_a_share_names_its_resources_and_the_account_it_goes_to(
    aws_client, backend, share, prefix_list, other_account, aws_account_id
):
    ram = aws_client("ram")
    arn = share([prefix_list], [other_account])

    def active():
        [found] = ram.get_resource_shares(resourceOwner="SELF", resourceShareArns=[arn])["resourceShares"]
        return found if found["status"] == "ACTIVE" else None

    found = eventually(active, backend, aws_seconds=AWS_SECONDS, interval=5)
    resources, principals = associations(ram, arn, "RESOURCE"), associations(ram, arn, "PRINCIPAL")
    show_table(
        "the share's associations",
        ["type", "entity", "status"],
        [[a["associationType"], e, a["status"]] for e, a in {**resources, **principals}.items()],
    )

    assert found["status"] == "ACTIVE"
    assert found["owningAccountId"] == aws_account_id  # the owner keeps the resources
    assert found["allowExternalPrincipals"] is True  # the default: accounts outside the organization may be named
    assert list(resources) == [prefix_list]
    assert list(principals) == [other_account]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "marks every principal association external: false; AWS marks an account outside the owner's organization "
    "external: true (it is sent an invitation to accept)",
    evidence=f"{ASSOCIATION_DOC} ; {PREFIX_LIST_SHARING}",
)
def test_an_account_outside_the_organization_is_an_external_principal(
    aws_client, backend, share, prefix_list, other_account
):
    ram = aws_client("ram")
    arn = share([prefix_list], [other_account])

    principal = eventually(
        lambda: associations(ram, arn, "PRINCIPAL").get(other_account), backend, aws_seconds=AWS_SECONDS
    )

    assert principal["external"] is True


def organization_of(organizations):
    """The organization this account belongs to, or None."""
    try:
        return organizations.describe_organization()["Organization"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "AWSOrganizationsNotInUseException":
            return None
        raise


@pytest.mark.uses("organizations")
def test_sharing_with_an_organization_is_refused_to_an_account_without_one(aws_client):
    if organization_of(aws_client("organizations")) is not None:
        pytest.skip("this account belongs to an organization; the refusal shows only in an account without one")

    code = error_code(aws_client("ram").enable_sharing_with_aws_organization)

    assert code == "OperationNotPermittedException"


@pytest.mark.uses("organizations")
def test_a_share_with_the_whole_organization_is_internal_and_associated(aws_client, backend, share, aws_account_id):
    organizations, ram, ec2 = aws_client("organizations"), aws_client("ram"), aws_client("ec2")
    organization = organization_of(organizations)
    if organization is None:
        organizations.create_organization(FeatureSet="ALL")
        organization = organization_of(organizations)
    if organization["MasterAccountId"] != aws_account_id:
        pytest.skip("only the organization's management account can turn on sharing with the organization")
    vpc = create_vpc(ec2, "10.20.0.0/16", backend=backend)["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.20.1.0/24", zones(ec2, 1)[0], backend=backend)["SubnetArn"]

    enabled = ram.enable_sharing_with_aws_organization()["returnValue"]
    arn = share([subnet], [organization["Arn"]])

    def associated():
        found = associations(ram, arn, "PRINCIPAL").get(organization["Arn"])
        return found if found and found["status"] == "ASSOCIATED" else None

    principal = eventually(associated, backend, aws_seconds=AWS_SECONDS, interval=5)

    assert enabled is True
    assert principal["status"] == "ASSOCIATED"  # no invitation: every account in the organization can use it
    assert principal["external"] is False
