"""Parameter Store: three types, a path hierarchy read with GetParametersByPath, and a version per change."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.data import load_json
from labkit.report import show_table

PARAMETERS = load_json("ssm/wordpress_parameters.json")
BY_NAME = {p["Name"]: p for p in PARAMETERS}
PASSWORD = BY_NAME["/wordpress/DBPassword"]["Value"]


@pytest.fixture
def top(unique_name):
    """A top level of this test's own above /wordpress: tests share an account (and, in parallel, an emulator)."""
    return "/" + unique_name("ssm")


@pytest.fixture
def ssm(aws_client, top):
    client = aws_client("ssm")
    for parameter in PARAMETERS:
        client.put_parameter(**{**parameter, "Name": top + parameter["Name"]})
    return client


def names(response, top):
    return sorted(p["Name"].removeprefix(top) for p in response["Parameters"])


def test_string_and_string_list_come_back_as_stored(ssm, top):
    user = ssm.get_parameter(Name=top + "/wordpress/DBUser")["Parameter"]
    plugins = ssm.get_parameter(Name=top + "/wordpress/Plugins")["Parameter"]

    assert (user["Type"], user["Value"]) == ("String", "wp_admin")
    assert (plugins["Type"], plugins["Value"].split(",")) == ("StringList", ["akismet", "jetpack", "wordfence"])


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "returns 'kms:alias/aws/ssm:<plaintext>'; AWS returns only ciphertext",
    evidence="https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ssm/aws.sdk.kotlin.services.ssm.model/"
    "-get-parameter-request/with-decryption.html",
)
def test_secure_string_without_decryption_does_not_reveal_the_value(ssm, top):
    parameter = ssm.get_parameter(Name=top + "/wordpress/DBPassword")["Parameter"]

    assert parameter["Type"] == "SecureString"
    assert PASSWORD not in parameter["Value"]


def test_secure_string_with_decryption_returns_the_plaintext(ssm, top):
    parameter = ssm.get_parameter(Name=top + "/wordpress/DBPassword", WithDecryption=True)["Parameter"]

    assert parameter["Value"] == PASSWORD


def test_get_parameters_by_path_reads_one_level_unless_recursive(ssm, top):
    one_level = ssm.get_parameters_by_path(Path=top + "/wordpress")
    recursive = ssm.get_parameters_by_path(Path=top + "/wordpress", Recursive=True)
    show_table(
        "GetParametersByPath /wordpress",
        ["Recursive", "names"],
        [["False", ", ".join(names(one_level, top))], ["True", ", ".join(names(recursive, top))]],
    )

    assert names(one_level, top) == ["/wordpress/DBPassword", "/wordpress/DBUser", "/wordpress/Plugins"]
    assert names(recursive, top) == sorted(BY_NAME)  # adds /wordpress/db/Endpoint


def test_get_parameters_by_path_decrypts_secure_strings_when_asked(ssm, top):
    response = ssm.get_parameters_by_path(Path=top + "/wordpress", WithDecryption=True)

    values = {p["Name"].removeprefix(top): p["Value"] for p in response["Parameters"]}
    assert values["/wordpress/DBPassword"] == PASSWORD


def test_changing_a_value_needs_overwrite(ssm, top):
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name=top + "/wordpress/DBUser", Type="String", Value="wp_owner")

    assert raised.value.response["Error"]["Code"] == "ParameterAlreadyExists"


def test_each_overwrite_is_a_new_version_and_history_keeps_them_all(ssm, top):
    result = ssm.put_parameter(Name=top + "/wordpress/DBUser", Type="String", Value="wp_owner", Overwrite=True)

    history = ssm.get_parameter_history(Name=top + "/wordpress/DBUser")["Parameters"]
    first = ssm.get_parameter(Name=top + "/wordpress/DBUser:1")["Parameter"]  # name:version selects a version

    assert result["Version"] == 2
    assert [(p["Version"], p["Value"]) for p in history] == [(1, "wp_admin"), (2, "wp_owner")]
    assert first["Value"] == "wp_admin"
    assert ssm.get_parameter(Name=top + "/wordpress/DBUser")["Parameter"]["Version"] == 2
