"""An asymmetric KMS key (SIGN_VERIFY) keeps its private half inside KMS: Sign happens there. The public
half can leave (GetPublicKey), so anyone can verify a signature without calling AWS; here the
``cryptography`` package does, on this machine.
"""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from labkit.errors import error_code

MESSAGE = b"pay 100 EUR to account 42"
SIGN_VERIFY = (
    "localstack/localstack:tests/aws/services/kms/test_kms.snapshot.json#test_sign_verify[ECC_NIST_P256-ECDSA_SHA_256]"
)
KEYS = {  # key spec -> signing algorithm
    "RSA_2048": "RSASSA_PSS_SHA_256",
    "ECC_NIST_P256": "ECDSA_SHA_256",
}


MOTO_PSS_SALT = pytest.mark.diverges(
    ("moto", "moto-server"),
    "signs RSASSA_PSS_SHA_256 with a salt that is not the digest length, so the signature does not verify "
    "with the public key; AWS uses a 32-byte salt",
    evidence="localstack/localstack:tests/aws/services/kms/test_kms.snapshot.json"
    "#test_verify_salt_length[RSA_2048-RSASSA_PSS_SHA_256]",
    raises=InvalidSignature,
)


@pytest.fixture(params=sorted(KEYS))
def new_signing_key(request, aws_client):
    """new_signing_key() -> (key id, signing algorithm) of a new asymmetric SIGN_VERIFY key (created in the
    test itself, so a backend that cannot create one fails the test, not its setup)."""

    def create():
        key = aws_client("kms").create_key(KeySpec=request.param, KeyUsage="SIGN_VERIFY", Description="labs signing")
        return key["KeyMetadata"]["KeyId"], KEYS[request.param]

    return create


def sign(kms, key, message=MESSAGE):
    key_id, algorithm = key
    return kms.sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm=algorithm)["Signature"]


def test_a_signature_verifies_in_kms(aws_client, new_signing_key):
    signing_key = new_signing_key()
    kms = aws_client("kms")
    signature = sign(kms, signing_key)

    verified = kms.verify(
        KeyId=signing_key[0], Message=MESSAGE, MessageType="RAW", Signature=signature, SigningAlgorithm=signing_key[1]
    )

    assert verified["SignatureValid"] is True


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "answers SignatureValid=False for a tampered message; AWS answers KMSInvalidSignatureException",
    evidence=SIGN_VERIFY,
)
def test_a_tampered_message_fails_verification(aws_client, new_signing_key):
    signing_key = new_signing_key()
    kms = aws_client("kms")
    signature = sign(kms, signing_key)

    code = error_code(
        kms.verify,
        KeyId=signing_key[0],
        Message=MESSAGE.replace(b"100", b"900"),
        MessageType="RAW",
        Signature=signature,
        SigningAlgorithm=signing_key[1],
    )

    assert code == "KMSInvalidSignatureException"  # AWS answers with an error, not SignatureValid=False


@pytest.mark.parametrize("spec", [pytest.param("ECC_NIST_P256"), pytest.param("RSA_2048", marks=MOTO_PSS_SALT)])
def test_the_public_key_verifies_the_signature_outside_kms(aws_client, spec):
    kms = aws_client("kms")
    key_id = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY", Description="labs signing")["KeyMetadata"]["KeyId"]
    signing_key = (key_id, KEYS[spec])
    signature = sign(kms, signing_key)
    der = kms.get_public_key(KeyId=signing_key[0])["PublicKey"]  # DER SubjectPublicKeyInfo
    public_key = serialization.load_der_public_key(der)

    def verify_locally(message):
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
            public_key.verify(signature, message, pss, hashes.SHA256())

    verify_locally(MESSAGE)  # raises InvalidSignature if KMS signed something else
    with pytest.raises(InvalidSignature):
        verify_locally(MESSAGE.replace(b"100", b"900"))


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "encrypts with a SIGN_VERIFY key; AWS answers InvalidKeyUsageException",
    evidence="localstack/localstack:tests/aws/services/kms/test_kms.snapshot.json#test_error_messaging_for_invalid_keys",
)
@pytest.mark.diverges(
    "ministack",
    "refuses Encrypt with a SIGN_VERIFY key as UnsupportedOperationException; AWS answers InvalidKeyUsageException",
    evidence="localstack/localstack:tests/aws/services/kms/test_kms.snapshot.json#test_error_messaging_for_invalid_keys",
)
def test_an_asymmetric_signing_key_cannot_encrypt(aws_client, new_signing_key):
    signing_key = new_signing_key()
    code = error_code(aws_client("kms").encrypt, KeyId=signing_key[0], Plaintext=b"x")

    assert code == "InvalidKeyUsageException"  # KeyUsage SIGN_VERIFY: signing only
