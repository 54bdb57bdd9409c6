"""CodeCommit: a Git repository hosted by AWS. Creating one gives its clone URLs (HTTPS and SSH, regional); it
is empty, with no branch, until a first commit, which ``PutFile`` can make without any Git client; a branch is a
name for a commit; the repository is encrypted with a KMS key.
"""

from __future__ import annotations

import pytest

from labkit.errors import error_code

NO_GIT_OPERATIONS = "implements only CreateRepository, GetRepository and DeleteRepository"
CREATE_DOCS = "botocore:codecommit/2015-04-13#CreateRepositoryInput"


@pytest.fixture
def codecommit(aws_client):
    return aws_client("codecommit")


@pytest.fixture
def repository(codecommit, unique_name):
    """A new, empty repository's metadata."""
    name = unique_name("repo")
    return codecommit.create_repository(repositoryName=name, repositoryDescription="labs")["repositoryMetadata"]


def first_commit(codecommit, repository):
    """PutFile on a repository with no branch yet: creates branch ``main`` with one commit; its commit id."""
    return codecommit.put_file(
        repositoryName=repository["repositoryName"],
        branchName="main",
        fileContent=b"version: 0.2\n",
        filePath="buildspec.yml",
        commitMessage="first commit",
    )["commitId"]


def test_a_repository_gets_https_and_ssh_clone_urls_in_its_region(repository, aws_region):
    name = repository["repositoryName"]

    assert repository["cloneUrlHttp"] == f"https://git-codecommit.{aws_region}.amazonaws.com/v1/repos/{name}"
    assert repository["cloneUrlSsh"] == f"ssh://git-codecommit.{aws_region}.amazonaws.com/v1/repos/{name}"


def test_a_repository_name_is_taken_once_per_region(codecommit, repository):
    code = error_code(codecommit.create_repository, repositoryName=repository["repositoryName"])

    assert code == "RepositoryNameExistsException"


@pytest.mark.uses("kms")
@pytest.mark.diverges(
    ("moto", "moto-server"),
    "returns no kmsKeyId; AWS encrypts every repository, with the aws/codecommit key unless told otherwise",
    evidence=f"{CREATE_DOCS} ; botocore:codecommit/2015-04-13#RepositoryMetadata",
)
def test_a_repository_is_encrypted_with_the_aws_managed_codecommit_key(repository, aws_client):
    key = aws_client("kms").describe_key(KeyId=repository["kmsKeyId"])["KeyMetadata"]

    assert key["KeyManager"] == "AWS"


@pytest.mark.diverges(
    ("moto", "moto-server"), NO_GIT_OPERATIONS, evidence="botocore:codecommit/2015-04-13#ListBranches"
)
def test_a_new_repository_has_no_branch(codecommit, repository):
    branches = codecommit.list_branches(repositoryName=repository["repositoryName"])["branches"]

    assert branches == []
    assert (
        "defaultBranch"
        not in codecommit.get_repository(repositoryName=repository["repositoryName"])["repositoryMetadata"]
    )


@pytest.mark.diverges(("moto", "moto-server"), NO_GIT_OPERATIONS, evidence="botocore:codecommit/2015-04-13#PutFile")
def test_put_file_makes_the_first_commit_and_get_file_reads_it_back(codecommit, repository):
    commit = first_commit(codecommit, repository)

    found = codecommit.get_file(
        repositoryName=repository["repositoryName"], commitSpecifier="main", filePath="buildspec.yml"
    )
    assert found["commitId"] == commit
    assert found["fileContent"] == b"version: 0.2\n"


@pytest.mark.diverges(
    ("moto", "moto-server"), NO_GIT_OPERATIONS, evidence="botocore:codecommit/2015-04-13#CreateBranch"
)
def test_a_branch_made_from_a_commit_points_at_that_commit(codecommit, repository):
    commit = first_commit(codecommit, repository)
    name = repository["repositoryName"]

    codecommit.create_branch(repositoryName=name, branchName="feature", commitId=commit)

    assert codecommit.get_branch(repositoryName=name, branchName="feature")["branch"]["commitId"] == commit
    assert sorted(codecommit.list_branches(repositoryName=name)["branches"]) == ["feature", "main"]
