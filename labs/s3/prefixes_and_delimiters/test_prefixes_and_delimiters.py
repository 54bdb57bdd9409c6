"""S3 has no folders: keys are flat strings, and ListObjectsV2 with a Prefix and a Delimiter only *groups* them."""

from __future__ import annotations

import pytest

from labkit.report import show_table

# Two keys from 003's example, and a few of ours around them.
KEYS = [
    "some_key.txt",
    "some_folder/some_key.txt",
    "photos/2024/cat.jpg",
    "photos/2024/dog.jpg",
    "photos/2025/bird.jpg",
    "photos/index.html",
    "photos-old.txt",
]


@pytest.fixture
def tree(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def page_items(page):
    """(keys, common prefixes) of one ListObjectsV2 page."""
    return [o["Key"] for o in page.get("Contents", [])], [p["Prefix"] for p in page.get("CommonPrefixes", [])]


def listing(s3, bucket, **options):
    return page_items(s3.list_objects_v2(Bucket=bucket, **options))


def test_a_delimiter_groups_keys_into_common_prefixes(s3, tree):
    keys, prefixes = listing(s3, tree, Delimiter="/")

    show_table("Delimiter='/'", ["Contents", "CommonPrefixes"], [[", ".join(keys), ", ".join(prefixes)]])
    assert keys == ["photos-old.txt", "some_key.txt"]
    assert prefixes == ["photos/", "some_folder/"]


def test_a_prefix_and_a_delimiter_list_one_level_down(s3, tree):
    keys, prefixes = listing(s3, tree, Prefix="photos/", Delimiter="/")

    assert (keys, prefixes) == (["photos/index.html"], ["photos/2024/", "photos/2025/"])


def test_without_a_delimiter_the_listing_is_flat(s3, tree):
    keys, prefixes = listing(s3, tree)

    assert (keys, prefixes) == (sorted(KEYS), [])


def test_a_prefix_is_a_string_match_not_a_folder(s3, tree):
    keys, _ = listing(s3, tree, Prefix="photos")  # no slash: "photos-old.txt" starts with it too

    assert keys == ["photos-old.txt", "photos/2024/cat.jpg", "photos/2024/dog.jpg", "photos/2025/bird.jpg",
                    "photos/index.html"]  # fmt: skip


def test_common_prefixes_count_towards_key_count_and_max_keys(s3, tree):
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=tree, Prefix="photos/", Delimiter="/", PaginationConfig={"PageSize": 2}
    )

    seen = [(page["KeyCount"], *page_items(page)) for page in pages]

    assert seen == [(2, [], ["photos/2024/", "photos/2025/"]), (1, ["photos/index.html"], [])]  # (KeyCount, keys, ...)


def test_a_prefix_vanishes_with_its_last_object(s3, tree):
    s3.delete_object(Bucket=tree, Key="photos/2025/bird.jpg")  # there is no "photos/2025/" folder left to delete

    _, prefixes = listing(s3, tree, Prefix="photos/", Delimiter="/")

    assert prefixes == ["photos/2024/"]


def test_a_console_folder_is_an_empty_object_whose_key_ends_in_a_slash(s3, bucket):
    s3.put_object(Bucket=bucket, Key="reports/", Body=b"")  # what the console's "Create folder" does

    top = listing(s3, bucket, Delimiter="/")
    inside = s3.list_objects_v2(Bucket=bucket, Prefix="reports/")["Contents"]

    assert top == ([], ["reports/"])
    assert [(o["Key"], o["Size"]) for o in inside] == [("reports/", 0)]
