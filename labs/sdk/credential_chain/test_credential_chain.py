"""Where the SDK finds credentials and a region: environment variables, the credentials file, the config file,
named profiles, and a profile that assumes a role.

Three IAM users, each with an access key, are created on the backend; the keys go into environment variables
and into SDK files written under tmp_path. Which key the SDK chose is then asked of the backend itself:
``sts:GetCallerIdentity`` answers with the user (or assumed role) that signed the call.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, InvalidConfigError

from labkit.deploy_tools import profile_keys, sdk_session
from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.iam import allow, create_role, create_user_with_key, policy, trust
from labkit.report import show_table


@pytest.fixture
def users(aws_client, unique_name, aws_account_id):
    """{"env": (arn, keys), "file": (arn, keys), "config": (arn, keys)}: three users with an access key each."""
    iam = aws_client("iam")
    found = {}
    for who in ("env", "file", "config"):
        name = unique_name(f"sdk-{who}")
        keys = create_user_with_key(iam, name, {"sdk-lab": policy(allow(["sts:AssumeRole", "ssm:PutParameter"]))})
        found[who] = (f"arn:aws:iam::{aws_account_id}:user/{name}", keys)
    return found


def signer(session, backend):
    """The ARN that signed a GetCallerIdentity made through this session (polled on AWS: new keys take a few
    seconds to work there)."""

    def look():
        try:
            return session.client("sts").get_caller_identity()["Arn"]
        except ClientError:
            return None

    return eventually(look, backend, aws_seconds=60)


def use_environment(monkeypatch, keys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", keys["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", keys["aws_secret_access_key"])


def test_environment_variables_come_before_the_credentials_file(sdk_files, users, monkeypatch, backend):
    sdk_files(credentials={"default": profile_keys(users["file"][1])})
    use_environment(monkeypatch, users["env"][1])
    session = sdk_session()

    assert session.get_credentials().method == "env"
    assert signer(session, backend) == users["env"][0]


def test_the_credentials_file_is_used_when_the_environment_has_no_keys(sdk_files, users, backend):
    sdk_files(credentials={"default": profile_keys(users["file"][1])})
    session = sdk_session()

    assert session.get_credentials().method == "shared-credentials-file"
    assert signer(session, backend) == users["file"][0]


def test_the_credentials_file_comes_before_keys_in_the_config_file(sdk_files, users, backend):
    sdk_files(
        credentials={"default": profile_keys(users["file"][1])},
        config={"default": profile_keys(users["config"][1])},
    )
    session = sdk_session()

    assert session.get_credentials().method == "shared-credentials-file"
    assert signer(session, backend) == users["file"][0]


def test_keys_in_the_config_file_are_used_when_nothing_comes_before_them(sdk_files, users, backend):
    sdk_files(config={"default": profile_keys(users["config"][1])})
    session = sdk_session()

    assert session.get_credentials().method == "config-file"
    assert signer(session, backend) == users["config"][0]


def test_aws_profile_picks_a_named_profile(sdk_files, users, monkeypatch, backend):
    sdk_files(credentials={"default": profile_keys(users["file"][1]), "dev": profile_keys(users["config"][1])})
    monkeypatch.setenv("AWS_PROFILE", "dev")

    assert signer(sdk_session(), backend) == users["config"][0]


def test_environment_keys_still_win_over_the_aws_profile_variable(sdk_files, users, monkeypatch, backend):
    sdk_files(credentials={"dev": profile_keys(users["file"][1])})
    use_environment(monkeypatch, users["env"][1])
    monkeypatch.setenv("AWS_PROFILE", "dev")

    assert signer(sdk_session(), backend) == users["env"][0]


def test_a_profile_named_in_code_wins_over_environment_keys(sdk_files, users, monkeypatch, backend):
    sdk_files(credentials={"dev": profile_keys(users["file"][1])})
    use_environment(monkeypatch, users["env"][1])
    session = sdk_session(profile_name="dev")  # what `aws --profile dev` does

    assert session.get_credentials().method == "shared-credentials-file"
    assert signer(session, backend) == users["file"][0]


def test_a_profile_with_a_role_arn_signs_as_the_assumed_role(sdk_files, users, aws_client, unique_name, backend):
    role_name = unique_name("sdk-deployer")
    role_arn = create_role(aws_client("iam"), role_name, trust({"AWS": users["file"][0]}))
    sdk_files(
        credentials={"dev": profile_keys(users["file"][1])},
        config={"profile deployer": {"role_arn": role_arn, "source_profile": "dev", "role_session_name": "labs-cli"}},
    )
    session = sdk_session(profile_name="deployer")

    arn = signer(session, backend)
    show_table("who signed", ["profile", "credentials", "identity"], [["deployer", "assume-role", arn]])
    assert arn is not None and arn.endswith(f":assumed-role/{role_name}/labs-cli")
    assert session.get_credentials().method == "assume-role"


def test_a_profile_that_names_a_missing_profile_as_its_source_is_refused(sdk_files):
    sdk_files(config={"profile deployer": {"role_arn": "arn:aws:iam::123456789012:role/x", "source_profile": "gone"}})

    with pytest.raises(InvalidConfigError, match='source_profile "gone"'):
        sdk_session(profile_name="deployer").get_credentials()


def test_aws_default_region_beats_the_profiles_region(sdk_files, monkeypatch):
    sdk_files(config={"default": {"region": "eu-west-1"}})
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")

    assert sdk_session().client("ssm").meta.region_name == "ap-southeast-2"


def test_the_python_sdk_ignores_aws_region(sdk_files, monkeypatch):
    sdk_files(config={"default": {"region": "eu-west-1"}})
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")

    assert sdk_session().client("ssm").meta.region_name == "eu-west-1"


def test_the_profiles_region_decides_where_a_parameter_is_created(
    sdk_files, users, monkeypatch, aws_client, unique_name, resource_tracker, backend
):
    sdk_files(credentials={"default": profile_keys(users["file"][1])}, config={"default": {"region": "eu-west-1"}})
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    ssm = sdk_session().client("ssm")
    if backend.track_resources:
        resource_tracker.watch(ssm)
    name = f"/{unique_name('sdk-region')}"

    ssm.put_parameter(Name=name, Value="here", Type="String")

    found = aws_client("ssm", region_name="eu-west-1").get_parameter(Name=name)["Parameter"]
    assert found["ARN"].split(":")[3] == "eu-west-1"
    assert error_code(aws_client("ssm", region_name="us-east-1").get_parameter, Name=name) == "ParameterNotFound"
