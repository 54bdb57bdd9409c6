"""DynamoDB encrypts every table at rest; who holds the key is the choice. And S3 carries what an item cannot.

Encryption: by default an AWS owned key (DescribeTable shows no SSEDescription); with SSE enabled and no key,
the AWS managed key ``aws/dynamodb`` in your account; or a customer managed key you name. UpdateTable switches
between them while the table stays usable (SSEDescription UPDATING, then ENABLED). A customer managed key you
disable makes the table inaccessible once DynamoDB notices. IAM decides who may call what on the table.

S3 patterns: an object too big for an item (400 KB) goes to S3 and the item keeps a pointer to it; and an index
of S3 object metadata in DynamoDB answers queries S3 cannot (s3_pointer_store.py, upload_indexer.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from s3_pointer_store import get_large, index_entry, pointer, put_large

from labkit.data import load_json
from labkit.dynamodb import create_table, from_item, put_items
from labkit.errors import error_code
from labkit.eventually import DELIVERY, eventually
from labkit.iam import allow, create_user_with_key, iam_enforced, policy, require_iam_checks
from labkit.report import show_table

HERE = Path(__file__).parent
MODEL = "botocore:dynamodb/2012-08-10"
RECORDED = "localstack/localstack:tests/aws/services/dynamodb/test_dynamodb.snapshot.json"
AWS_MANAGED_KEY = f"{RECORDED}#test_dynamodb_create_table_with_partial_sse_specification"
USAGE_NOTES = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html"
TUTORIAL = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.tutorial.html"
MOTO = ("moto", "moto-server")
#: AWS applies an encryption change, or notices a disabled key, in the background: minutes. Emulators: at once.
AWS_MINUTES = 30 * 60
UPLOADS = load_json("dynamodb/customer_uploads.json")


@pytest.fixture
def table(dynamodb, unique_name):
    """``table(**options)`` -> the name of a new on-demand table keyed on ``id`` (options: SSESpecification...)."""

    def make(**options):
        name = unique_name("sse")
        create_table(dynamodb, name, ("id", "S"), **options)
        return name

    return make


@pytest.fixture
def customer_key(aws_client):
    """A customer managed KMS key: (key id, key ARN)."""
    metadata = aws_client("kms").create_key(Description="labs dynamodb table key")["KeyMetadata"]
    return metadata["KeyId"], metadata["Arn"]


def sse_of(dynamodb, name):
    return dynamodb.describe_table(TableName=name)["Table"].get("SSEDescription")


def settled_sse(dynamodb, name, backend):
    """SSEDescription once it is no longer UPDATING (AWS re-encrypts in the background)."""

    def done():
        sse = sse_of(dynamodb, name)
        return sse if not sse or sse.get("Status") != "UPDATING" else None

    return eventually(done, backend, aws_seconds=AWS_MINUTES, interval=10) or sse_of(dynamodb, name)


# --- which key encrypts the table --------------------------------------------------------------------------------


def test_a_table_created_with_defaults_uses_the_aws_owned_key_and_shows_no_sse_description(dynamodb, table):
    name = table()

    assert sse_of(dynamodb, name) is None  # no encryption type: the AWS owned key, at no charge


@pytest.mark.diverges(
    "ministack",
    "reports an alias ARN (.../alias/aws/dynamodb) and has no such key in KMS; AWS reports the ARN of the AWS "
    "managed key that alias/aws/dynamodb names",
    evidence=AWS_MANAGED_KEY,
)
def test_sse_enabled_without_a_key_uses_the_aws_managed_key_aws_dynamodb(aws_client, dynamodb, table):
    name = table(SSESpecification={"Enabled": True, "SSEType": "KMS"})

    sse = sse_of(dynamodb, name)
    managed = aws_client("kms").describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]

    assert (sse["Status"], sse["SSEType"]) == ("ENABLED", "KMS")
    assert sse["KMSMasterKeyArn"] == managed["Arn"]


@pytest.mark.diverges(
    MOTO,
    "creates alias/aws/dynamodb as a customer managed key (KeyManager CUSTOMER); on AWS it is managed by AWS",
    evidence=AWS_MANAGED_KEY,
)
@pytest.mark.diverges("ministack", "has no alias/aws/dynamodb key in KMS (NotFoundException)", evidence=AWS_MANAGED_KEY)
def test_the_aws_managed_key_is_in_the_account_but_managed_by_aws(aws_client, dynamodb, table, aws_account_id):
    table(SSESpecification={"Enabled": True, "SSEType": "KMS"})

    managed = aws_client("kms").describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]

    assert managed["AWSAccountId"] == aws_account_id
    assert managed["KeyManager"] == "AWS"  # you can see it, not manage it (no key policy edits, no deletion)


def test_a_customer_managed_key_shows_as_enabled_kms_with_its_arn(dynamodb, table, customer_key):
    _, key_arn = customer_key
    name = table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn})

    sse = sse_of(dynamodb, name)

    assert (sse["Status"], sse["SSEType"], sse["KMSMasterKeyArn"]) == ("ENABLED", "KMS", key_arn)


@pytest.mark.diverges(
    (*MOTO, "ministack"),
    "echoes the key as given (an alias name stays an alias); AWS reports the ARN of the key the alias names",
    evidence=f"{MODEL}#SSESpecification ; {MODEL}#SSEDescription",
)
def test_a_key_named_by_alias_is_reported_by_its_key_arn(aws_client, dynamodb, table, customer_key, unique_name):
    key_id, key_arn = customer_key
    alias = f"alias/{unique_name('table-key')}"
    aws_client("kms").create_alias(AliasName=alias, TargetKeyId=key_id)

    name = table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": alias})

    assert sse_of(dynamodb, name)["KMSMasterKeyArn"] == key_arn


@pytest.mark.diverges(
    MOTO,
    "ignores SSESpecification in UpdateTable: the table keeps the AWS owned key; AWS switches keys on a live table",
    evidence=f"{TUTORIAL} ; {USAGE_NOTES}",
)
def test_update_table_switches_a_table_to_a_customer_managed_key(dynamodb, table, customer_key, backend):
    _, key_arn = customer_key
    name = table()

    dynamodb.update_table(
        TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn}
    )
    sse = settled_sse(dynamodb, name, backend)

    assert (sse["Status"], sse["KMSMasterKeyArn"]) == ("ENABLED", key_arn)


@pytest.mark.diverges(
    MOTO,
    "ignores SSESpecification in UpdateTable and answers ENABLED; AWS answers UPDATING while it switches back to "
    "the AWS owned key",
    evidence=AWS_MANAGED_KEY,
)
@pytest.mark.diverges(
    "ministack",
    "answers Status DISABLED at once; AWS answers UPDATING, still naming the KMS key, while it switches",
    evidence=AWS_MANAGED_KEY,
)
def test_switching_back_to_the_aws_owned_key_answers_updating(dynamodb, table, backend):
    name = table(SSESpecification={"Enabled": True, "SSEType": "KMS"})
    before = sse_of(dynamodb, name)

    answer = dynamodb.update_table(TableName=name, SSESpecification={"Enabled": False})["TableDescription"]
    settled_sse(dynamodb, name, backend)  # let the switch finish before the table is deleted

    assert answer["SSEDescription"] == {**before, "Status": "UPDATING"}


@pytest.mark.diverges(
    (*MOTO, "ministack"),
    "keeps serving a table whose KMS key is disabled; AWS marks it INACCESSIBLE_ENCRYPTION_CREDENTIALS with the "
    "time it noticed (and archives it after seven days)",
    evidence=f"{MODEL}#TableDescription ; {MODEL}#SSEDescription",
)
def test_a_table_whose_customer_managed_key_is_disabled_becomes_inaccessible(
    aws_client, dynamodb, table, customer_key, backend
):
    key_id, key_arn = customer_key
    name = table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn})

    aws_client("kms").disable_key(KeyId=key_id)

    def inaccessible():
        found = dynamodb.describe_table(TableName=name)["Table"]
        return found if found["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS" else None

    found = (
        eventually(inaccessible, backend, aws_seconds=AWS_MINUTES, interval=30)
        or dynamodb.describe_table(TableName=name)["Table"]
    )

    assert found["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    assert "InaccessibleEncryptionDateTime" in found["SSEDescription"]


# --- IAM controls who may do what on the table --------------------------------------------------------------------


@pytest.mark.diverges(
    MOTO,
    "matches every policy against the resource '*' (outside S3), so an Allow scoped to the table's ARN never "
    "applies and GetItem is refused too; its refusals are XML 403s botocore reads as code '403'; AWS allows GetItem "
    "and answers PutItem with AccessDeniedException",
    evidence="https://docs.amazonaws.cn/en_us/IAM/latest/UserGuide/reference_policies_examples_dynamodb_specific-table"
    ".html ; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ErrorHandling.html",
)
def test_a_policy_allowing_get_item_on_one_table_refuses_put_item(
    aws_client, dynamodb, table, backend, unique_name, aws_region, aws_account_id
):
    require_iam_checks(backend)
    name = table()
    dynamodb.put_item(TableName=name, Item={"id": {"S": "r1"}, "note": {"S": "readable"}})
    arn = f"arn:aws:dynamodb:{aws_region}:{aws_account_id}:table/{name}"
    reader = create_user_with_key(
        aws_client("iam"), unique_name("reader"), {"get": policy(allow("dynamodb:GetItem", arn))}
    )

    with iam_enforced(backend):
        theirs = aws_client("dynamodb", **reader)
        read = error_code(theirs.get_item, TableName=name, Key={"id": {"S": "r1"}})
        write = error_code(theirs.put_item, TableName=name, Item={"id": {"S": "r2"}})

    assert (read, write) == ("allowed", "AccessDeniedException")


# --- S3 holds what an item cannot ---------------------------------------------------------------------------------


@pytest.fixture
def bucket(aws_client, unique_name):
    name = unique_name("objects")
    aws_client("s3").create_bucket(Bucket=name)
    return name


def test_an_image_too_big_for_an_item_goes_to_s3_and_the_item_keeps_a_pointer(aws_client, dynamodb, table, bucket):
    s3, name = aws_client("s3"), table()
    image = bytes(range(256)) * 2000  # 512,000 bytes: more than an item's 400 KB

    inline = error_code(dynamodb.put_item, TableName=name, Item={"id": {"S": "inline"}, "image": {"B": image}})
    put_large(s3, dynamodb, name, bucket, "products/p-17/photo.png", image, "image/png")
    item = pointer(dynamodb, name, "products/p-17/photo.png")

    assert inline == "ValidationException"  # Item size has exceeded the maximum allowed size
    assert set(item) == {"id", "bucket", "key", "size", "content_type"}  # metadata and a pointer, not the bytes
    assert (item["bucket"], item["size"]) == (bucket, 512000)
    assert get_large(s3, dynamodb, name, "products/p-17/photo.png") == image  # read the pointer, then S3


@pytest.fixture
def upload_index(aws_client, dynamodb, unique_name, bucket):
    """The fixture's uploads stored in S3 and indexed in DynamoDB: (index table, bucket). The index is keyed on
    customer + upload time#key and has a secondary index on content type."""
    s3, name = aws_client("s3"), unique_name("uploads-index")
    create_table(
        dynamodb,
        name,
        ("customer", "S"),
        ("uploaded_key", "S"),
        extra_attributes=[("content_type", "S")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-type",
                "KeySchema": [{"AttributeName": "content_type", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for upload in UPLOADS:
        s3.put_object(Bucket=bucket, Key=upload["key"], Body=b"x" * upload["size"], ContentType=upload["content_type"])
    put_items(dynamodb, name, [index_entry(**upload) for upload in UPLOADS])
    return name, bucket


def query_keys(dynamodb, name, condition, values, **extra):
    items = dynamodb.query(TableName=name, KeyConditionExpression=condition, ExpressionAttributeValues=values, **extra)[
        "Items"
    ]
    return [from_item(item) for item in items]


def test_the_index_finds_a_customers_uploads_within_a_date_range(dynamodb, upload_index):
    name, _ = upload_index

    found = query_keys(
        dynamodb,
        name,
        "customer = :c AND uploaded_key BETWEEN :from AND :to",
        {":c": {"S": "acme"}, ":from": {"S": "2024-03-10"}, ":to": {"S": "2024-04-30"}},
    )

    assert [item["key"] for item in found] == ["acme/2024-03-15/logo.png", "acme/2024-04-01/invoice-0401.pdf"]


def test_the_index_sums_a_customers_storage_as_s3_lists_it(aws_client, dynamodb, upload_index):
    name, bucket = upload_index

    indexed = sum(item["size"] for item in query_keys(dynamodb, name, "customer = :c", {":c": {"S": "acme"}}))
    listed = aws_client("s3").list_objects_v2(Bucket=bucket, Prefix="acme/")["Contents"]
    in_s3 = sum(o["Size"] for o in listed)
    show_table("acme's storage", ["source", "bytes"], [["DynamoDB index", indexed], ["S3 listing", in_s3]])

    assert indexed == in_s3 == 193070  # 4 objects


def test_a_secondary_index_finds_objects_with_a_given_attribute(dynamodb, upload_index, backend):
    name, _ = upload_index

    def images():  # a global secondary index is updated in the background: eventually consistent
        found = query_keys(dynamodb, name, "content_type = :t", {":t": {"S": "image/png"}}, IndexName="by-type")
        return sorted(item["key"] for item in found) if len(found) >= 3 else None

    keys = eventually(images, backend, aws_seconds=60, interval=2)

    assert keys == ["acme/2024-03-15/logo.png", "acme/2024-05-20/team.png", "globex/2024-04-11/site.png"]


@pytest.mark.needs("lambda-execution")
def test_an_s3_triggered_function_indexes_each_upload(
    aws_client, dynamodb, unique_name, bucket, lambda_function, grant, backend, aws_account_id
):
    s3, name = aws_client("s3"), unique_name("uploads-index")
    create_table(dynamodb, name, ("customer", "S"), ("uploaded_key", "S"))
    grant(["dynamodb:PutItem"], [f"arn:aws:dynamodb:{backend.region}:{aws_account_id}:table/{name}"])
    indexer = lambda_function(
        HERE / "upload_indexer.py", handler="upload_indexer.lambda_handler", environment={"INDEX_TABLE": name}
    )
    indexer.client.add_permission(
        FunctionName=indexer.name,
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{bucket}",
        SourceAccount=aws_account_id,
    )
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": indexer.arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    acme = [u for u in UPLOADS if u["customer"] == "acme"]

    for upload in acme:
        s3.put_object(Bucket=bucket, Key=upload["key"], Body=b"x" * upload["size"])

    def all_indexed():
        found = query_keys(dynamodb, name, "customer = :c", {":c": {"S": "acme"}}, ConsistentRead=True)
        return found if len(found) >= len(acme) else None

    indexed = eventually(all_indexed, backend, **DELIVERY, interval=0.5) or []

    assert sorted((item["key"], item["size"]) for item in indexed) == sorted((u["key"], u["size"]) for u in acme)
