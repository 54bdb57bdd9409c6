"""Work moto does that no lab can see, left undone, with moto's answers unchanged."""

from __future__ import annotations

import boto3
import pytest
from moto.kms import utils

from labkit import moto_lean


@pytest.fixture
def rsa_pairs_made(monkeypatch) -> list[int]:
    """The key sizes of the RSA key pairs moto makes from here on."""
    made: list[int] = []
    generate = utils.rsa.generate_private_key

    def counted(public_exponent, key_size):
        made.append(key_size)
        return generate(public_exponent=public_exponent, key_size=key_size)

    monkeypatch.setattr(utils.rsa, "generate_private_key", counted)
    return made


def test_a_symmetric_key_makes_no_rsa_key_pair_until_used(server_client, rsa_pairs_made):
    moto_lean.apply()
    kms = server_client("kms")

    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    ciphertext = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]

    assert kms.decrypt(CiphertextBlob=ciphertext)["Plaintext"] == b"secret"
    assert rsa_pairs_made == []


def test_an_rsa_key_still_makes_its_pair_at_once_and_signs(server_client, rsa_pairs_made):
    moto_lean.apply()
    kms = server_client("kms")

    key_id = kms.create_key(KeySpec="RSA_3072", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    made_by_create = list(rsa_pairs_made)
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    verified = kms.verify(KeyId=key_id, Message=b"m", Signature=signature, SigningAlgorithm="RSASSA_PSS_SHA_256")

    assert made_by_create == [3072]
    assert verified["SignatureValid"] is True


def test_a_deferred_pair_is_made_on_first_use_and_kept():
    moto_lean.apply()
    from moto.kms import models

    key = models.generate_private_key("SYMMETRIC_DEFAULT")

    first = key.public_key()
    assert key.public_key() == first  # the same pair each time
    assert len(first) > 256  # a DER RSA-2048 public key, as moto made before


def test_a_request_makes_no_iam_backend_in_other_partitions(moto_server, server_client):
    from moto.iam.models import iam_backends

    moto_lean.apply()
    moto_server.reset()

    server_client("iam").list_users()  # the account's IAM backend, in partition aws
    server_client("sqs").list_queues()  # moto looks up the caller's account

    made = list(iam_backends["123456789012"].keys())  # noqa: SIM118 - `in` is true of any partition

    assert [partition for partition in made if partition != "aws"] == []


def test_an_assumed_roles_keys_still_act_in_the_roles_account(moto_server, server_client):
    moto_lean.apply()
    role_arn = "arn:aws:iam::111111111111:role/auditor"
    keys = server_client("sts").assume_role(RoleArn=role_arn, RoleSessionName="audit")["Credentials"]
    as_role = boto3.client(
        "sts",
        endpoint_url=moto_server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )

    assert as_role.get_caller_identity()["Account"] == "111111111111"


def test_user_pools_sign_with_one_key_imported_once(server_client, monkeypatch):
    from joserfc import jwk, jwt
    from moto.utilities.utils import load_resource

    moto_lean.apply()
    imports: list[object] = []
    real_import = jwk.RSAKey.import_key

    def counted(value, *args, **kwargs):
        imports.append(value)
        return real_import(value, *args, **kwargs)

    monkeypatch.setattr(jwk.RSAKey, "import_key", staticmethod(counted))
    idp = server_client("cognito-idp")

    pools = [idp.create_user_pool(PoolName=f"pool-{n}")["UserPool"]["Id"] for n in range(3)]
    tokens = []
    for pool in pools:
        client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="app", ExplicitAuthFlows=[
            "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]  # fmt: skip
        idp.admin_create_user(UserPoolId=pool, Username="ana", TemporaryPassword="Tmp-pass-1")
        idp.admin_set_user_password(UserPoolId=pool, Username="ana", Password="Real-pass-1", Permanent=True)
        auth = idp.admin_initiate_auth(
            UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ana", "PASSWORD": "Real-pass-1"},
        )  # fmt: skip
        tokens.append(auth["AuthenticationResult"]["IdToken"])

    monkeypatch.undo()
    public_keys = jwk.KeySet.import_key_set(load_resource("cognitoidp/resources/jwks-public.json"))
    issuers = [jwt.decode(token, public_keys).claims["iss"] for token in tokens]  # checks each signature
    assert len(imports) <= 1  # at most once (none if an earlier test imported it)
    assert [issuer.rsplit("/", 1)[1] for issuer in issuers] == pools


def test_a_response_class_lists_its_functions_once_and_still_answers(server_client, monkeypatch):
    import inspect

    from moto.core import responses
    from moto.ec2.responses import EC2Response

    moto_lean.apply()
    responses.method_names_from_class.cache_clear()
    listed: list[object] = []
    real_getmembers = inspect.getmembers

    def counted(thing, *args, **kwargs):
        listed.append(thing)
        return real_getmembers(thing, *args, **kwargs)

    monkeypatch.setattr(inspect, "getmembers", counted)
    ec2 = server_client("ec2")

    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    described = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]

    assert [v["CidrBlock"] for v in described] == ["10.9.0.0/16"]
    assert listed.count(EC2Response) == 1  # two requests, one listing


def test_hex_ids_keep_their_length_and_alphabet_and_follow_motos_seed():
    moto_lean.apply()
    from moto.ec2 import utils as ec2_utils
    from moto.moto_api._internal import mock_random

    ids = [ec2_utils.random_resource_id(17) for _ in range(2000)]
    mock_random.seed(7)
    seeded = [ec2_utils.random_id("vol") for _ in range(3)]
    mock_random.seed(7)

    assert {len(i) for i in ids} == {17}
    assert set("".join(ids)) == set("0123456789abcdef")  # every digit drawn, leading zeros kept
    assert len(set(ids)) == 2000
    assert [ec2_utils.random_id("vol") for _ in range(3)] == seeded
    assert seeded[0].startswith("vol-") and len(seeded[0]) == len("vol-") + 17
    assert ec2_utils.random_resource_id(0) == ""
