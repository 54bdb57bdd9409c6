"""How to undo what the deployment labs create (CodeCommit, CodeBuild, CodeDeploy, CodePipeline, Elastic Beanstalk,
instance profiles), for ``labkit.cleanup``."""

from __future__ import annotations

from typing import Any

from labkit.undo_steps import Undo


def _delete_pipeline(codepipeline: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    codepipeline.delete_pipeline(name=params["pipeline"]["name"])


def _delete_instance_profile(iam: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    name = params["InstanceProfileName"]
    for role in iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]:
        iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role["RoleName"])
    iam.delete_instance_profile(InstanceProfileName=name)


def _terminate_environment(beanstalk: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    beanstalk.terminate_environment(EnvironmentId=response["EnvironmentId"])


#: (service, operation) -> how to undo it, given the client, the call's parameters and its response.
UNDO: dict[tuple[str, str], Undo] = {
    ("iam", "CreateInstanceProfile"): _delete_instance_profile,  # before the harness deletes its role
    ("codecommit", "CreateRepository"): lambda c, p, r: c.delete_repository(repositoryName=p["repositoryName"]),
    ("codebuild", "CreateProject"): lambda c, p, r: c.delete_project(name=p["name"]),
    ("codedeploy", "CreateApplication"): lambda c, p, r: c.delete_application(applicationName=p["applicationName"]),
    ("codedeploy", "CreateDeploymentConfig"): lambda c, p, r: c.delete_deployment_config(
        deploymentConfigName=p["deploymentConfigName"]
    ),
    ("codepipeline", "CreatePipeline"): _delete_pipeline,
    ("elasticbeanstalk", "CreateApplication"): lambda c, p, r: c.delete_application(
        ApplicationName=p["ApplicationName"], TerminateEnvByForce=True
    ),
    ("elasticbeanstalk", "CreateEnvironment"): _terminate_environment,
}

#: Sub-resources that go with a parent the tracker already deletes.
PARTS = frozenset({"CreateDeploymentGroup", "CreateApplicationVersion", "CreateBranch"})
