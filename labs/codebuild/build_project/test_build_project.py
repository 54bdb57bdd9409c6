"""CodeBuild: a project (an environment image, a buildspec, a service role, where artifacts go) and its builds.
A build moves through fixed phases, SUBMITTED to COMPLETED, running the buildspec's install, pre_build, build
and post_build commands, then uploads the artifact files to S3. A failing command fails the build in its phase.

The buildspec is ``buildspec.yml`` beside this file: its build phase writes ``echo $((6 * 7))`` to answer.txt,
so an artifact holding ``42`` is proof that a shell ran it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from labkit.deploy_tools import service_role
from labkit.eventually import eventually, retry_while
from labkit.report import show_table

BUILDSPEC = (Path(__file__).parent / "buildspec.yml").read_text(encoding="utf-8")
FAILING_BUILDSPEC = BUILDSPEC.replace("echo $((6 * 7)) > answer.txt", "exit 1")
IMAGE = "aws/codebuild/standard:7.0"
PHASES = [
    "SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD",
    "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED",
]  # fmt: skip
PHASE_DOCS = "https://docs.aws.amazon.com/codebuild/latest/userguide/view-build-details-phases.html"
NOTHING_RUNS = {
    ("moto", "moto-server"): "reports SUCCEEDED with every phase on the first look, runs nothing and uploads nothing",
    "ministack": (
        "reports SUCCEEDED with every phase at once and runs nothing (it runs builds only with "
        "MINISTACK_CODEBUILD_EXECUTE=1 and Docker)"
    ),
}


def needs_a_real_build(evidence):
    def mark(test):
        for backends, reason in NOTHING_RUNS.items():
            test = pytest.mark.diverges(backends, reason, evidence=evidence)(test)
        return test

    return mark


@pytest.fixture
def codebuild(aws_client):
    return aws_client("codebuild")


@pytest.fixture
def artifacts(aws_client, unique_name):
    bucket = unique_name("build-artifacts")
    aws_client("s3").create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def make_project(codebuild, aws_client, unique_name, artifacts, backend):
    """make_project(buildspec, **extra) -> project: its source a zip in S3 holding only this buildspec, its
    artifacts going to the same bucket under ``output/``."""
    role = service_role(
        aws_client("iam"),
        unique_name("codebuild-role"),
        "codebuild.amazonaws.com",
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "s3:GetObject", "s3:GetObjectVersion",
         "s3:PutObject", "s3:GetBucketLocation"],
    )  # fmt: skip

    def make(buildspec, **extra):
        key = f"{unique_name('source')}.zip"
        aws_client("s3").put_object(Bucket=artifacts, Key=key, Body=zipped({"buildspec.yml": buildspec}))
        return retry_while(  # AWS refuses a role it cannot assume yet, for a few seconds after it is made
            "InvalidInputException",
            codebuild.create_project,
            backend,
            mentions="AssumeRole",
            name=unique_name("build"),
            source={"type": "S3", "location": f"{artifacts}/{key}"},
            artifacts={"type": "S3", "location": artifacts, "name": "output", "packaging": "NONE"},
            environment={"type": "LINUX_CONTAINER", "image": IMAGE, "computeType": "BUILD_GENERAL1_SMALL"},
            serviceRole=role,
            **extra,
        )["project"]

    return make


def zipped(files):
    """A zip archive (bytes) holding these files (name -> text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def finished(codebuild, build_id, backend):
    """The build once it is no longer IN_PROGRESS (polled: 30 s on an emulator, 20 min on AWS)."""
    return eventually(
        lambda: codebuild.batch_get_builds(ids=[build_id])["builds"][0],
        backend,
        until=lambda build: build["buildStatus"] != "IN_PROGRESS",
        aws_seconds=1200,
        emulator_seconds=30,
        interval=10,
    )


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "stores timeoutInMinutes 0 when none is given; AWS's default is 60",
    evidence="botocore:codebuild/2016-10-06#CreateProjectInput",
)
def test_a_project_times_out_a_build_after_60_minutes_by_default(make_project):
    project = make_project(BUILDSPEC)

    assert project["timeoutInMinutes"] == 60


def test_a_build_timeout_of_36_hours_is_accepted_and_stored(make_project):
    project = make_project(BUILDSPEC, timeoutInMinutes=2160)  # the most CodeBuild allows

    assert project["timeoutInMinutes"] == 2160


@pytest.mark.diverges(
    "ministack",
    "answers StartBuild with a build already SUCCEEDED; AWS answers before the build has run",
    evidence=f"{PHASE_DOCS} ; botocore:codebuild/2016-10-06#StartBuildOutput",
)
def test_start_build_answers_before_the_build_has_run(codebuild, make_project):
    build = codebuild.start_build(projectName=make_project(BUILDSPEC)["name"])["build"]

    assert build["buildStatus"] == "IN_PROGRESS"


@needs_a_real_build(f"{PHASE_DOCS} ; botocore:codebuild/2016-10-06#BuildPhaseType")
def test_a_build_runs_every_phase_in_order_and_uploads_its_artifact(
    codebuild, make_project, aws_client, artifacts, backend
):
    started = codebuild.start_build(projectName=make_project(BUILDSPEC)["name"])["build"]

    build = finished(codebuild, started["id"], backend)
    show_table("phases", ["phase", "status"], [[p["phaseType"], p.get("phaseStatus", "")] for p in build["phases"]])
    answer = aws_client("s3").get_object(Bucket=artifacts, Key="output/answer.txt")["Body"].read()
    assert answer == b"42\n"  # the build phase's shell wrote it
    assert build["buildStatus"] == "SUCCEEDED"
    assert [p["phaseType"] for p in build["phases"]] == PHASES


@needs_a_real_build(f"{PHASE_DOCS} ; botocore:codebuild/2016-10-06#StatusType")
def test_a_failing_command_fails_the_build_in_its_build_phase(codebuild, make_project, backend):
    started = codebuild.start_build(projectName=make_project(FAILING_BUILDSPEC)["name"])["build"]

    build = finished(codebuild, started["id"], backend)
    statuses = {p["phaseType"]: p.get("phaseStatus") for p in build["phases"]}
    assert build["buildStatus"] == "FAILED"
    assert statuses["BUILD"] == "FAILED"
    assert statuses["INSTALL"] == statuses["PRE_BUILD"] == "SUCCEEDED"
    assert "UPLOAD_ARTIFACTS" in statuses  # always attempted, even after a failed BUILD phase
