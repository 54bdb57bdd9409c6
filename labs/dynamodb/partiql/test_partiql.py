"""PartiQL for DynamoDB: SELECT, INSERT, UPDATE and DELETE as SQL-like statements (ExecuteStatement),
several at once (BatchExecuteStatement), or all-or-nothing (ExecuteTransaction). Every statement below
is valid on AWS; where moto cannot run one, the test says so with ``diverges``."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.data import load_json
from labkit.dynamodb import create_table, from_item, put_items

MONSTERS = load_json("dynamodb/monsters.json")
DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide"
SELECT_DOCS = f"{DOCS}/ql-reference.select.html"  # WHERE OrderID = 100, "quoted" table names
INSERT_DOCS = f"{DOCS}/ql-reference.insert.html"  # an existing key: DuplicateItemException
BATCH_DOCS = f"{DOCS}/ql-reference.multiplestatements.batching.html"  # all reads or all writes; VALUE {'k': ?}
# LocalStack's test, recorded against AWS, runs "UPDATE ... SET Age=20 WHERE Username='user02'" (no spaces).
SNAPSHOTS = "localstack/localstack:tests/aws/services/dynamodb/test_dynamodb.snapshot.json"
NO_SPACES_ON_AWS = f"{SNAPSHOTS}#test_dynamodb_batch_execute_statement"
GABRIEL = {"id": 3, "name": "Gabriel", "class": "archangel"}


@pytest.fixture
def monsters(dynamodb, unique_name):
    """The note's monsters table: id (Number) is the partition key; Lucifer (1) and Michael (2) in it."""
    name = unique_name("monsters").replace("-", "_")  # labs_monsters_1a2b3c4d: no quotes needed in PartiQL
    create_table(dynamodb, name, partition_key=("id", "N"))
    put_items(dynamodb, name, MONSTERS)
    return name


def run(dynamodb, statement, *parameters):
    """Run one statement; a SELECT reads strongly consistent, so it sees writes made just before (on AWS an
    eventually consistent read may not yet)."""
    kwargs = {"Parameters": list(parameters)} if parameters else {}
    if statement.lstrip().upper().startswith("SELECT"):
        kwargs["ConsistentRead"] = True
    return [from_item(item) for item in dynamodb.execute_statement(Statement=statement, **kwargs)["Items"]]


def as_set(items):
    """Items compared without order: DynamoDB returns a scan in hash order, not insertion order."""
    return {frozenset((k, str(v)) for k, v in item.items()) for item in items}


def monster(dynamodb, table, monster_id):
    return run(dynamodb, f"SELECT * FROM {table} WHERE id = ?", {"N": str(monster_id)})


def test_select_star_returns_the_notes_two_monsters(dynamodb, monsters):
    items = run(dynamodb, f"select * from {monsters}")

    assert as_set(items) == as_set(MONSTERS)
    assert len(items) == 2


def test_parameterised_select_finds_one_monster_by_key(dynamodb, monsters):
    items = run(dynamodb, f"SELECT name, class FROM {monsters} WHERE id = ?", {"N": "1"})

    assert items == [{"name": "Lucifer", "class": "Devil"}]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a numeric literal in WHERE matches nothing; AWS finds Lucifer",
    evidence=SELECT_DOCS,
)
def test_select_with_a_numeric_literal_finds_the_monster(dynamodb, monsters):
    assert [item["name"] for item in run(dynamodb, f"SELECT * FROM {monsters} WHERE id = 1")] == ["Lucifer"]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "fails to parse `id=?` without spaces; AWS accepts it",
    evidence=NO_SPACES_ON_AWS,
)
def test_select_without_spaces_around_equals_works(dynamodb, monsters):
    items = run(dynamodb, f"SELECT * FROM {monsters} WHERE id=?", {"N": "1"})

    assert [item["name"] for item in items] == ["Lucifer"]


def test_insert_with_literal_values_adds_a_monster(dynamodb, monsters):
    run(dynamodb, f"INSERT INTO {monsters} VALUE {{'id': 3, 'name': 'Gabriel', 'class': 'archangel'}}")

    assert monster(dynamodb, monsters, 3) == [GABRIEL]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "crashes on `?` inside an INSERT's VALUE; AWS binds the parameters",
    evidence=BATCH_DOCS,
)
def test_parameterised_insert_adds_a_monster(dynamodb, monsters):
    run(
        dynamodb,
        f"INSERT INTO {monsters} VALUE {{'id': ?, 'name': ?, 'class': ?}}",
        {"N": "3"},
        {"S": "Gabriel"},
        {"S": "archangel"},
    )

    assert monster(dynamodb, monsters, 3) == [GABRIEL]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "overwrites the existing item; AWS raises DuplicateItemException",
    evidence=INSERT_DOCS + " ; botocore:dynamodb/2012-08-10#DuplicateItemException",
)
def test_insert_of_an_existing_key_raises_duplicate_item(dynamodb, monsters):
    with pytest.raises(ClientError) as raised:
        run(dynamodb, f"INSERT INTO {monsters} VALUE {{'id': 1, 'name': 'Impostor'}}")

    assert raised.value.response["Error"]["Code"] == "DuplicateItemException"
    assert monster(dynamodb, monsters, 1)[0]["name"] == "Lucifer"


def test_parameterised_update_changes_one_attribute(dynamodb, monsters):
    run(dynamodb, f"UPDATE {monsters} SET superpower = ? WHERE id = ?", {"S": "flight"}, {"N": "2"})

    michael = monster(dynamodb, monsters, 2)[0]
    assert michael["superpower"] == "flight"
    assert michael["name"] == "Michael"  # the rest of the item is untouched


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "DELETE only parses quoted string keys, not `id = ?`; AWS deletes",
    evidence="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.delete.html",
)
def test_parameterised_delete_removes_a_monster(dynamodb, monsters):
    run(dynamodb, f"DELETE FROM {monsters} WHERE id = ?", {"N": "1"})

    assert [item["name"] for item in run(dynamodb, f"SELECT * FROM {monsters}")] == ["Michael"]


def test_batch_of_writes_applies_each_statement(dynamodb, monsters):
    response = dynamodb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO {monsters} VALUE {{'id': 3, 'name': 'Gabriel', 'class': 'archangel'}}"},
            {
                "Statement": f"UPDATE {monsters} SET superpower = ? WHERE id = ?",
                "Parameters": [{"S": "flight"}, {"N": "2"}],
            },
        ]
    )["Responses"]

    assert ["Error" in r for r in response] == [False, False]  # one result per statement, in order
    assert monster(dynamodb, monsters, 3) == [GABRIEL]
    assert monster(dynamodb, monsters, 2)[0]["superpower"] == "flight"


def test_batch_of_reads_returns_one_item_per_select(dynamodb, monsters):
    def read(monster_id):
        statement = f"SELECT * FROM {monsters} WHERE id = ?"
        return {"Statement": statement, "Parameters": [{"N": monster_id}], "ConsistentRead": True}

    response = dynamodb.batch_execute_statement(Statements=[read("2"), read("1")])["Responses"]

    assert [from_item(r["Item"])["name"] for r in response] == ["Michael", "Lucifer"]  # in the order asked


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "runs a batch that mixes an INSERT and a SELECT; AWS refuses a batch that is not all reads or all writes",
    evidence=BATCH_DOCS
    + " ; botocore:dynamodb/2012-08-10#BatchExecuteStatement"
    + " ; unverified: the error code of the refusal (the documentation says only that a batch cannot mix them)",
)
def test_a_batch_cannot_mix_reads_and_writes(dynamodb, monsters):
    with pytest.raises(ClientError) as raised:
        dynamodb.batch_execute_statement(
            Statements=[
                {"Statement": f"INSERT INTO {monsters} VALUE {{'id': 3, 'name': 'Gabriel', 'class': 'archangel'}}"},
                {"Statement": f"SELECT * FROM {monsters} WHERE id = ?", "Parameters": [{"N": "1"}]},
            ]
        )

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_execute_transaction_applies_every_statement(dynamodb, monsters):
    dynamodb.execute_transaction(
        TransactStatements=[
            {"Statement": f"INSERT INTO {monsters} VALUE {{'id': 3, 'name': 'Gabriel', 'class': 'archangel'}}"},
            {
                "Statement": f"UPDATE {monsters} SET superpower = ? WHERE id = ?",
                "Parameters": [{"S": "flight"}, {"N": "2"}],
            },
        ]
    )

    assert monster(dynamodb, monsters, 3) == [GABRIEL]
    assert monster(dynamodb, monsters, 2)[0]["superpower"] == "flight"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    'BatchExecuteStatement keeps the quotes of "table" and answers ResourceNotFound; AWS reads the table',
    evidence=SELECT_DOCS + " ; " + BATCH_DOCS,
)
def test_batch_statement_accepts_a_double_quoted_table_name(dynamodb, monsters):
    statement = f'SELECT * FROM "{monsters}" WHERE id = ?'
    response = dynamodb.batch_execute_statement(
        Statements=[{"Statement": statement, "Parameters": [{"N": "1"}], "ConsistentRead": True}]
    )["Responses"]

    assert from_item(response[0]["Item"])["name"] == "Lucifer"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "ignores the JOIN and returns rows; AWS rejects the statement",
    evidence=SELECT_DOCS + " ; unverified: the error code AWS answers a JOIN with (its SELECT grammar has no JOIN)",
)
def test_join_is_not_supported(dynamodb, monsters):
    with pytest.raises(ClientError) as raised:
        run(dynamodb, f"SELECT * FROM {monsters} m JOIN {monsters} n ON m.id = n.id")

    assert raised.value.response["Error"]["Code"] == "ValidationException"
