"""An ECR repository: its URI (``<account>.dkr.ecr.<region>.amazonaws.com/<name>``), name rules, the login token
``docker login`` uses (base64 of ``AWS:<password>``, valid 12 hours), and an image pushed the way ``docker push``
pushes it: the blobs first, then a manifest naming them."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from image_push import MANIFEST, manifest, push

from labkit.errors import error_code
from labkit.report import show_table

TAG_TAKEN = "ImageTagAlreadyExistsException"
TAG_TAKEN_EVIDENCE = "botocore:ecr/2015-09-21#ImageTagAlreadyExistsException"
TOKEN = "botocore:ecr/2015-09-21#GetAuthorizationToken ; botocore:ecr/2015-09-21#AuthorizationData"


@pytest.fixture
def repository(ecr, unique_name):
    """A new repository with the defaults; as CreateRepository returned it."""
    return ecr.create_repository(repositoryName=unique_name("cats"))["repository"]


def test_the_repository_uri_is_the_registry_host_then_the_name(repository, aws_account_id, aws_region):
    name = repository["repositoryName"]

    assert repository["registryId"] == aws_account_id
    assert repository["repositoryUri"] == f"{aws_account_id}.dkr.ecr.{aws_region}.amazonaws.com/{name}"


def test_a_new_repository_has_mutable_tags_and_aes256_encryption(repository):
    assert repository["imageTagMutability"] == "MUTABLE"
    assert repository["encryptionConfiguration"]["encryptionType"] == "AES256"
    assert repository["imageScanningConfiguration"]["scanOnPush"] is False


@pytest.mark.diverges(("moto", "moto-server", "ministack"), "creates a repository named with capitals; AWS allows "
                      "lowercase names only (InvalidParameterException)",
                      evidence="botocore:ecr/2015-09-21#RepositoryName")  # fmt: skip
def test_a_name_with_capitals_is_refused(ecr, unique_name):
    assert error_code(ecr.create_repository, repositoryName=unique_name("Cats")) == "InvalidParameterException"


def test_a_second_repository_with_the_same_name_is_refused(ecr, repository):
    code = error_code(ecr.create_repository, repositoryName=repository["repositoryName"])

    assert code == "RepositoryAlreadyExistsException"


def test_the_login_token_is_base64_of_aws_and_a_password_for_the_registry(ecr, aws_account_id, aws_region):
    [data] = ecr.get_authorization_token()["authorizationData"]

    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert (user, bool(password)) == ("AWS", True)  # docker login --username AWS --password-stdin
    assert data["proxyEndpoint"] == f"https://{aws_account_id}.dkr.ecr.{aws_region}.amazonaws.com"


@pytest.mark.diverges(("moto", "moto-server"), "answers a token that expired on 2015-01-01; AWS's lasts 12 hours",
                      evidence=TOKEN)  # fmt: skip
def test_the_login_token_is_valid_for_12_hours(ecr):
    issued = datetime.datetime.now(datetime.UTC)

    [data] = ecr.get_authorization_token()["authorizationData"]

    lifetime = data["expiresAt"] - issued
    assert abs(lifetime - datetime.timedelta(hours=12)) < datetime.timedelta(minutes=5)


# --- pushing an image without Docker ---------------------------------------------------------------------------------


@pytest.mark.diverges(("moto", "moto-server"), "gives the image a digest that is not the sha256 of the manifest as "
                      "pushed; AWS's is", evidence="botocore:ecr/2015-09-21#ImageIdentifier")  # fmt: skip
def test_a_pushed_image_is_listed_under_its_tag_with_the_manifests_digest(ecr, repository):
    name = repository["repositoryName"]

    document = push(ecr, name, "v1", b"meow\n")

    images = ecr.list_images(repositoryName=name)["imageIds"]
    show_table("images", ["tag", "digest"], [[i.get("imageTag", "-"), i["imageDigest"][:19]] for i in images])
    assert images == [{"imageTag": "v1", "imageDigest": "sha256:" + hashlib.sha256(document.encode()).hexdigest()}]


@pytest.mark.diverges(("moto", "moto-server", "ministack"), "accepts a manifest whose layers were never uploaded; "
                      "AWS: LayersNotFoundException", evidence="botocore:ecr/2015-09-21#PutImage")  # fmt: skip
def test_a_manifest_whose_layers_were_never_uploaded_is_refused(ecr, repository):
    document, _ = manifest(b"no layers uploaded\n")  # nothing uploaded first

    code = error_code(ecr.put_image, repositoryName=repository["repositoryName"], imageManifest=document,
                      imageManifestMediaType=MANIFEST, imageTag="v1")  # fmt: skip

    assert code == "LayersNotFoundException"


@pytest.mark.diverges(("moto", "moto-server"), "answers ImageAlreadyExistsException; AWS names the cause, "
                      "ImageTagAlreadyExistsException", evidence=TAG_TAKEN_EVIDENCE)  # fmt: skip
def test_an_immutable_repository_refuses_a_new_image_under_an_existing_tag(ecr, unique_name):
    name = ecr.create_repository(repositoryName=unique_name("cats"), imageTagMutability="IMMUTABLE")["repository"][
        "repositoryName"
    ]
    push(ecr, name, "v1", b"meow\n")

    code = error_code(push, ecr, name, "v1", b"purr\n")

    assert code == TAG_TAKEN
