"""Elastic Beanstalk: an application holds versions (source bundles in S3) and environments; an environment runs
one version on a platform (a solution stack), as a web server tier (a CNAME in front of the instances) or a
worker tier (fed by an SQS queue); how a new version reaches the instances is the deployment policy, an option
setting. Blue/green swaps the CNAMEs of two environments.

Environments here are single-instance (one EC2 instance each) running ``beanstalk_application.py`` on the newest
Amazon Linux 2023 Python platform the region offers.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from labkit.deploy_tools import instance_profile
from labkit.errors import error_code
from labkit.eventually import eventually, waiter_config
from labkit.report import show_table

APP_SOURCE = (Path(__file__).parent / "beanstalk_application.py").read_text(encoding="utf-8")
PYTHON_STACK = re.compile(r"^64bit Amazon Linux 2023 v[\d.]+ running Python 3\.\d+$")
COMMAND = "aws:elasticbeanstalk:command"
POLICIES_DOCS = "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.rolling-version-deploy"
WEB_TIER = {"Name": "WebServer", "Type": "Standard", "Version": "1.0"}
WORKER_TIER = {"Name": "Worker", "Type": "SQS/HTTP", "Version": "1.0"}
INSTANCE_POLICIES = [
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkWorkerTier",
]
MOTO_ENVIRONMENTS = (
    "keeps an environment as a record: Ready at once, tier always WebServer, no CNAME, no version, no settings"
)


def moto_lacks(what):
    return pytest.mark.diverges(("moto", "moto-server"), what, evidence=f"botocore:elasticbeanstalk/2010-12-01#{what}")


@pytest.fixture
def beanstalk(aws_client):
    return aws_client("elasticbeanstalk")


@pytest.fixture
def stack(beanstalk):
    """The newest Amazon Linux 2023 Python solution stack the region lists."""
    stacks = [s for s in beanstalk.list_available_solution_stacks()["SolutionStacks"] if PYTHON_STACK.match(s)]
    return stacks[0]


@pytest.fixture
def application(beanstalk, unique_name):
    name = unique_name("eb-app")
    beanstalk.create_application(ApplicationName=name)
    return name


@pytest.fixture
def version(beanstalk, application, aws_client, unique_name):
    """Version label ``v1``: a zip holding application.py, uploaded to S3."""
    bucket = unique_name("eb-bundles")
    aws_client("s3").create_bucket(Bucket=bucket)
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("application.py", APP_SOURCE)
    aws_client("s3").put_object(Bucket=bucket, Key="v1.zip", Body=bundle.getvalue())
    beanstalk.create_application_version(
        ApplicationName=application, VersionLabel="v1", SourceBundle={"S3Bucket": bucket, "S3Key": "v1.zip"}
    )
    return {"label": "v1", "bucket": bucket, "key": "v1.zip"}


@pytest.fixture
def launch(beanstalk, application, version, stack, aws_client, unique_name, backend):
    """launch(tier=WEB_TIER, cname=None, options=()) -> CreateEnvironment's answer: a single-instance environment
    running version v1, its instances in an instance profile Beanstalk's web and worker tiers need."""
    profile = instance_profile(aws_client("iam"), unique_name("eb-instance"), INSTANCE_POLICIES)

    def create(tier=WEB_TIER, cname=None, options=()):
        settings = [
            {
                "Namespace": "aws:elasticbeanstalk:environment",
                "OptionName": "EnvironmentType",
                "Value": "SingleInstance",
            },
            {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "IamInstanceProfile", "Value": profile},
            *options,
        ]
        extra = {"CNAMEPrefix": cname} if cname else {}
        return beanstalk.create_environment(
            ApplicationName=application,
            EnvironmentName=unique_name("env"),
            SolutionStackName=stack,
            VersionLabel=version["label"],
            Tier=tier,
            OptionSettings=settings,
            **extra,
        )

    return create


def ready(beanstalk, environment_id, backend):
    """The environment once Ready (AWS launches its instances first: minutes)."""
    beanstalk.get_waiter("environment_exists").wait(
        EnvironmentIds=[environment_id],
        WaiterConfig=waiter_config(backend, aws_seconds=20 * 60, emulator_seconds=30, interval=20),
    )
    return beanstalk.describe_environments(EnvironmentIds=[environment_id])["Environments"][0]


def setting(beanstalk, environment, namespace, option):
    found = beanstalk.describe_configuration_settings(
        ApplicationName=environment["ApplicationName"], EnvironmentName=environment["EnvironmentName"]
    )["ConfigurationSettings"][0]["OptionSettings"]
    return next((s.get("Value") for s in found if (s["Namespace"], s["OptionName"]) == (namespace, option)), None)


# --- application and versions -----------------------------------------------------------------------------------


def test_an_application_name_is_taken_once(beanstalk, application):
    assert error_code(beanstalk.create_application, ApplicationName=application) == "InvalidParameterValue"


@moto_lacks("CreateApplicationVersion")
def test_a_version_from_an_s3_bundle_is_accepted_and_stored(beanstalk, application, version):
    found = beanstalk.describe_application_versions(ApplicationName=application, VersionLabels=["v1"])

    [stored] = found["ApplicationVersions"]
    assert stored["SourceBundle"] == {"S3Bucket": version["bucket"], "S3Key": version["key"]}


# --- options a platform offers --------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "has no DescribeConfigurationOptions",
    evidence=f"{POLICIES_DOCS} ; botocore:elasticbeanstalk/2010-12-01#DescribeConfigurationOptions",
)
def test_five_deployment_policies_are_offered_and_all_at_once_is_the_default(beanstalk, stack):
    [policy] = beanstalk.describe_configuration_options(
        SolutionStackName=stack, Options=[{"Namespace": COMMAND, "OptionName": "DeploymentPolicy"}]
    )["Options"]

    assert set(policy["ValueOptions"]) == {
        "AllAtOnce", "Rolling", "RollingWithAdditionalBatch", "Immutable", "TrafficSplitting",
    }  # fmt: skip
    assert policy["DefaultValue"] == "AllAtOnce"


@moto_lacks("CheckDNSAvailability")
def test_a_free_cname_prefix_is_offered_under_the_regions_beanstalk_domain(beanstalk, unique_name, aws_region):
    prefix = unique_name("eb-site")

    answer = beanstalk.check_dns_availability(CNAMEPrefix=prefix)

    assert answer["Available"] is True
    assert answer["FullyQualifiedCNAME"] == f"{prefix}.{aws_region}.elasticbeanstalk.com"


# --- environments -----------------------------------------------------------------------------------------------


@moto_lacks("CreateApplicationVersion")
def test_a_new_environment_is_launching_before_it_is_ready(beanstalk, launch, backend):
    created = launch()

    environment = ready(beanstalk, created["EnvironmentId"], backend)
    show_table("environment", ["field", "value"], [[k, environment.get(k)] for k in ("Status", "Health", "CNAME")])
    assert created["Status"] == "Launching"
    assert environment["Status"] == "Ready"
    assert environment["VersionLabel"] == "v1"


@moto_lacks("CreateApplicationVersion")
def test_a_worker_environment_has_no_cname_and_reads_an_sqs_queue(beanstalk, launch, aws_region, backend):
    environment = ready(beanstalk, launch(tier=WORKER_TIER)["EnvironmentId"], backend)

    queue = setting(beanstalk, environment, "aws:elasticbeanstalk:sqsd", "WorkerQueueURL")
    assert environment["Tier"] == WORKER_TIER
    assert "CNAME" not in environment
    assert str(queue).startswith(f"https://sqs.{aws_region}.amazonaws.com/")  # a queue Beanstalk made for it


@moto_lacks("CreateApplicationVersion")
def test_an_immutable_deployment_policy_is_accepted_and_stored(beanstalk, launch, backend):
    immutable = [{"Namespace": COMMAND, "OptionName": "DeploymentPolicy", "Value": "Immutable"}]
    environment = ready(beanstalk, launch(options=immutable)["EnvironmentId"], backend)

    assert setting(beanstalk, environment, COMMAND, "DeploymentPolicy") == "Immutable"


@moto_lacks("CreateApplicationVersion")
def test_swapping_cnames_exchanges_the_two_environments_urls(beanstalk, launch, unique_name, backend):
    blue = ready(beanstalk, launch(cname=unique_name("blue"))["EnvironmentId"], backend)
    green = ready(beanstalk, launch(cname=unique_name("green"))["EnvironmentId"], backend)

    beanstalk.swap_environment_cnames(
        SourceEnvironmentId=blue["EnvironmentId"], DestinationEnvironmentId=green["EnvironmentId"]
    )

    def cnames():
        found = beanstalk.describe_environments(EnvironmentIds=[blue["EnvironmentId"], green["EnvironmentId"]])
        by_id = {e["EnvironmentId"]: e.get("CNAME") for e in found["Environments"]}
        return by_id[blue["EnvironmentId"]], by_id[green["EnvironmentId"]]

    swapped = (green["CNAME"], blue["CNAME"])
    eventually(lambda: cnames() == swapped, backend, aws_seconds=600, interval=15)  # the swap is an environment update
    assert cnames() == swapped
