"""CodeDeploy: an application, a deployment group (which instances: EC2 tags here) and a deployment
configuration (how fast: how many instances must stay healthy while the others are updated).

The three predefined EC2 configurations differ only in their minimum healthy hosts; a custom one states its
own; a group given none deploys one instance at a time. Lambda gets traffic-shifting configurations instead.
No deployment runs here: that needs instances with the CodeDeploy agent (see the README).
"""

from __future__ import annotations

import pytest

from labkit.deploy_tools import service_role
from labkit.errors import error_code
from labkit.eventually import retry_while

MINIMUM_HEALTHY_DOCS = "https://docs.aws.amazon.com/goto/WebAPI/codedeploy-2014-10-06/MinimumHealthyHosts"
CONFIG_DOCS = "https://docs.aws.amazon.com/he_il/codedeploy/latest/userguide/deployment-configurations.md"
#: What CodeDeploy's service role needs to find a group's instances (a part of the managed AWSCodeDeployRole).
FIND_INSTANCES = ["ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "tag:GetResources", "autoscaling:Describe*"]
NO_CONFIG_API = "has no deployment configuration API (GetDeploymentConfig, CreateDeploymentConfig)"


@pytest.fixture
def codedeploy(aws_client):
    return aws_client("codedeploy")


@pytest.fixture
def application(codedeploy, unique_name):
    name = unique_name("app")
    codedeploy.create_application(applicationName=name, computePlatform="Server")
    return name


@pytest.fixture
def make_group(codedeploy, application, aws_client, unique_name, backend):
    """make_group(**extra) -> group info: EC2 instances tagged environment=dev, CodeDeploy's service role."""
    arn = service_role(aws_client("iam"), unique_name("codedeploy-role"), "codedeploy.amazonaws.com", FIND_INSTANCES)

    def make(**extra):
        name = unique_name("group")
        retry_while(  # AWS checks it may assume the role, which takes a few seconds to be true
            "InvalidRoleException",
            codedeploy.create_deployment_group,
            backend,
            applicationName=application,
            deploymentGroupName=name,
            serviceRoleArn=arn,
            ec2TagFilters=[{"Key": "environment", "Value": "dev", "Type": "KEY_AND_VALUE"}],
            **extra,
        )
        return codedeploy.get_deployment_group(applicationName=application, deploymentGroupName=name)[
            "deploymentGroupInfo"
        ]

    return make


def minimum_healthy(codedeploy, name):
    return codedeploy.get_deployment_config(deploymentConfigName=name)["deploymentConfigInfo"]["minimumHealthyHosts"]


def test_an_application_name_is_taken_once(codedeploy, application):
    assert error_code(codedeploy.create_application, applicationName=application) == "ApplicationAlreadyExistsException"


def test_a_group_targeting_ec2_tags_is_accepted_and_stored(make_group):
    group = make_group()

    assert group["ec2TagFilters"] == [{"Key": "environment", "Value": "dev", "Type": "KEY_AND_VALUE"}]


def test_a_group_given_no_configuration_deploys_one_at_a_time(make_group):
    assert make_group()["deploymentConfigName"] == "CodeDeployDefault.OneAtATime"


@pytest.mark.diverges(("moto", "moto-server"), NO_CONFIG_API, evidence=MINIMUM_HEALTHY_DOCS)
def test_one_at_a_time_updates_a_single_instance_at_once(codedeploy):
    assert minimum_healthy(codedeploy, "CodeDeployDefault.OneAtATime") == {"type": "MOST_CONCURRENCY", "value": 1}


@pytest.mark.parametrize(
    ("name", "healthy"),
    [("CodeDeployDefault.HalfAtATime", 50), ("CodeDeployDefault.AllAtOnce", 0)],
)
@pytest.mark.diverges(
    ("moto", "moto-server"),
    NO_CONFIG_API,
    evidence=f"{CONFIG_DOCS} ; unverified: GetDeploymentConfig's answer for these two predefined configurations",
)
def test_half_at_a_time_and_all_at_once_keep_a_percentage_of_the_fleet_healthy(codedeploy, name, healthy):
    assert minimum_healthy(codedeploy, name) == {"type": "FLEET_PERCENT", "value": healthy}


@pytest.mark.diverges(
    ("moto", "moto-server"), NO_CONFIG_API, evidence="botocore:codedeploy/2014-10-06#CreateDeploymentConfig"
)
def test_a_custom_configuration_of_75_percent_healthy_is_accepted_and_stored(codedeploy, unique_name):
    name = unique_name("three-quarters")
    codedeploy.create_deployment_config(
        deploymentConfigName=name, minimumHealthyHosts={"type": "FLEET_PERCENT", "value": 75}
    )

    assert minimum_healthy(codedeploy, name) == {"type": "FLEET_PERCENT", "value": 75}


@pytest.mark.diverges(("moto", "moto-server"), NO_CONFIG_API, evidence=CONFIG_DOCS)
def test_lambda_deployments_shift_traffic_by_canary(codedeploy):
    info = codedeploy.get_deployment_config(deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes")[
        "deploymentConfigInfo"
    ]

    assert info["computePlatform"] == "Lambda"
    assert info["trafficRoutingConfig"] == {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
    }


@pytest.mark.diverges(
    ("moto", "moto-server"),
    NO_CONFIG_API,
    evidence="botocore:codedeploy/2014-10-06#DeleteDeploymentConfig ; unverified: which of the operation's "
    "documented errors AWS answers for a predefined configuration",
)
def test_a_predefined_configuration_cannot_be_deleted(codedeploy):
    code = error_code(codedeploy.delete_deployment_config, deploymentConfigName="CodeDeployDefault.AllAtOnce")

    assert code == "InvalidOperationException"
