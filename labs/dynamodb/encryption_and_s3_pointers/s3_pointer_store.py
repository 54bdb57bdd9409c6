"""Two ways DynamoDB and S3 work together (the code under test of this lab).

- Large objects: an item is at most 400 KB, so a big object goes to S3 and the item keeps a *pointer* (bucket,
  key) and the object's metadata. Writing puts the object first, then the item; reading gets the item, then the
  object it points to.
- An index of S3 metadata: one item per object, keyed by customer (partition key) and upload time plus object
  key (sort key), so DynamoDB answers what S3 cannot: uploads in a date range, storage per customer, objects with
  a given attribute (through a secondary index).
"""

from __future__ import annotations

from typing import Any

from labkit.dynamodb import from_item, to_item


def put_large(s3: Any, dynamodb: Any, table: str, bucket: str, key: str, body: bytes, content_type: str) -> None:
    """Store ``body`` in S3 under ``key``, then an item ``{id: key}`` that points to it."""
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    pointer = {"id": key, "bucket": bucket, "key": key, "size": len(body), "content_type": content_type}
    dynamodb.put_item(TableName=table, Item=to_item(pointer))


def pointer(dynamodb: Any, table: str, item_id: str) -> dict[str, Any]:
    """The pointer item, read strongly consistent (just written)."""
    found = dynamodb.get_item(TableName=table, Key={"id": {"S": item_id}}, ConsistentRead=True)
    return from_item(found["Item"])


def get_large(s3: Any, dynamodb: Any, table: str, item_id: str) -> bytes:
    """Read the pointer from DynamoDB, then the object from S3."""
    item = pointer(dynamodb, table, item_id)
    return bytes(s3.get_object(Bucket=item["bucket"], Key=item["key"])["Body"].read())


def index_entry(customer: str, key: str, uploaded: str, size: int, content_type: str) -> dict[str, Any]:
    """The index item for one object: sorted per customer by upload time (ISO 8601 sorts as text)."""
    return {
        "customer": customer,
        "uploaded_key": f"{uploaded}#{key}",
        "key": key,
        "uploaded": uploaded,
        "size": size,
        "content_type": content_type,
    }
