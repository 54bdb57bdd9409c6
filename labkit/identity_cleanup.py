"""How to undo what the identity labs create (IAM, Cognito identity pools, Organizations), for ``labkit.cleanup``.

IAM refuses to delete anything still in use, so each undo first takes apart what holds it: a user's policies,
keys, groups and MFA devices; a group's policies and members; a policy's attachments and old versions.
"""

from __future__ import annotations

from typing import Any

from labkit.undo_steps import Undo


def delete_role(iam: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    name = params["RoleName"]
    for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    iam.delete_role(RoleName=name)


def delete_user(iam: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    name = params["UserName"]
    for policy in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=name, PolicyArn=policy["PolicyArn"])
    for policy_name in iam.list_user_policies(UserName=name)["PolicyNames"]:
        iam.delete_user_policy(UserName=name, PolicyName=policy_name)
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    for group in iam.list_groups_for_user(UserName=name)["Groups"]:
        iam.remove_user_from_group(UserName=name, GroupName=group["GroupName"])
    for device in iam.list_mfa_devices(UserName=name)["MFADevices"]:
        iam.deactivate_mfa_device(UserName=name, SerialNumber=device["SerialNumber"])
    iam.delete_user(UserName=name)


def delete_group(iam: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    name = params["GroupName"]
    for policy in iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]:
        iam.detach_group_policy(GroupName=name, PolicyArn=policy["PolicyArn"])
    for policy_name in iam.list_group_policies(GroupName=name)["PolicyNames"]:
        iam.delete_group_policy(GroupName=name, PolicyName=policy_name)
    for user in iam.get_group(GroupName=name)["Users"]:
        iam.remove_user_from_group(GroupName=name, UserName=user["UserName"])
    iam.delete_group(GroupName=name)


def delete_policy(iam: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    arn = response["Policy"]["Arn"]
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    for role in entities["PolicyRoles"]:
        iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
    for user in entities["PolicyUsers"]:
        iam.detach_user_policy(UserName=user["UserName"], PolicyArn=arn)
    for group in entities["PolicyGroups"]:
        iam.detach_group_policy(GroupName=group["GroupName"], PolicyArn=arn)
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:  # the default version goes with the policy
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)


def delete_virtual_mfa_device(iam: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    serial = response["VirtualMFADevice"]["SerialNumber"]
    user = response["VirtualMFADevice"].get("User", {}).get("UserName")
    if user:
        iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)


def delete_organizations_policy(organizations: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    policy = response["Policy"]["PolicySummary"]["Id"]
    for target in organizations.list_targets_for_policy(PolicyId=policy)["Targets"]:
        organizations.detach_policy(PolicyId=policy, TargetId=target["TargetId"])
    organizations.delete_policy(PolicyId=policy)


UNDO: dict[tuple[str, str], Undo] = {
    ("iam", "CreateRole"): delete_role,
    ("iam", "CreateUser"): delete_user,
    ("iam", "CreateGroup"): delete_group,
    ("iam", "CreatePolicy"): delete_policy,
    ("iam", "CreateVirtualMFADevice"): delete_virtual_mfa_device,
    ("iam", "CreateOpenIDConnectProvider"): lambda c, p, r: c.delete_open_id_connect_provider(
        OpenIDConnectProviderArn=r["OpenIDConnectProviderArn"]
    ),
    ("iam", "CreateSAMLProvider"): lambda c, p, r: c.delete_saml_provider(SAMLProviderArn=r["SAMLProviderArn"]),
    ("cognito-idp", "CreateUserPool"): lambda c, p, r: c.delete_user_pool(UserPoolId=r["UserPool"]["Id"]),
    ("cognito-identity", "CreateIdentityPool"): lambda c, p, r: c.delete_identity_pool(
        IdentityPoolId=r["IdentityPoolId"]
    ),
    ("organizations", "CreateOrganizationalUnit"): lambda c, p, r: c.delete_organizational_unit(
        OrganizationalUnitId=r["OrganizationalUnit"]["Id"]
    ),
    ("organizations", "CreatePolicy"): delete_organizations_policy,
}

#: Sub-resources that go with a parent the tracker already deletes.
PARTS = frozenset({"CreatePolicyVersion", "CreateLoginProfile", "CreateUserPoolClient", "CreateAccessKey"})
