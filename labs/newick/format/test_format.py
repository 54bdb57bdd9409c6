"""Newick trees from the note, parsed with the `newick` package: structure, round-trips and errors.

Not an AWS service: no emulator is involved (the harness's clean-state fixture still runs, harmlessly).
"""

from __future__ import annotations

import newick
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labkit.data import load_json
from labkit.report import show, show_table

TREES = load_json("newick/example_trees.json")
PICTURE = load_json("newick/ascii_art.json")
FULL = "(A:0.1,B:0.2,(C:0.3,D:0.4)E:0.5)F;"  # "distances and all names"


@pytest.mark.parametrize("example", TREES, ids=[tree["shows"] for tree in TREES])
def test_each_example_tree_parses_to_one_tree_and_dumps_back_unchanged(example):
    trees = newick.loads(example["newick"])

    assert len(trees) == 1
    assert newick.dumps(trees) == example["newick"]


def test_the_first_seven_examples_are_one_shape_a_root_of_three_branches_one_of_them_inner():
    examples = TREES[:-1]  # the last one is re-rooted on leaf A: a different shape
    fan_outs = [[len(node.descendants) for node in newick.loads(e["newick"])[0].walk()] for e in examples]
    show_table(
        "branches under each node, in walk order",
        ["tree", "fan-out"],
        zip([e["newick"] for e in examples], fan_outs, strict=True),
    )

    assert fan_outs == [[3, 0, 0, 2, 0, 0]] * 7


def test_ascii_art_matches_the_notes_picture_exactly():
    tree = newick.loads(PICTURE["newick"])[0]
    show(tree.ascii_art())

    assert tree.ascii_art() == "\n".join(PICTURE["ascii_art"])


def test_the_notes_python_example_has_no_semicolon_and_still_parses():
    """The grammar says Tree -> Subtree ";", but the library accepts a string without the ";"."""
    assert newick.dumps(newick.loads(PICTURE["newick"])) == PICTURE["newick"] + ";"


def test_names_lengths_and_leaves_of_the_fully_labelled_tree():
    root = newick.loads(FULL)[0]

    assert [(node.name, node.length) for node in root.walk()] == [
        ("F", 0.0),  # the root has no length: it has no parent edge
        ("A", 0.1),
        ("B", 0.2),
        ("E", 0.5),
        ("C", 0.3),
        ("D", 0.4),
    ]
    assert root.get_leaf_names() == ["A", "B", "C", "D"]
    assert root.get_node("E").get_leaf_names() == ["C", "D"]


def test_a_missing_length_reads_as_zero_but_stays_absent_when_written():
    """newick 1.11 turns an empty Length into 0.0 on reading; only the text tells 'no length' from ':0.0'."""
    without, with_zero = newick.loads("(A,B:0.0);")[0].descendants

    assert without.length == with_zero.length == 0.0
    assert (without.newick, with_zero.newick) == ("A", "B:0.0")


def test_unnamed_nodes_have_no_name():
    root = newick.loads(TREES[0]["newick"])[0]  # (,,(,));

    assert [node.name for node in root.walk()] == [None] * 6


def test_tree_rooted_on_a_leaf_has_root_a_and_leaves_b_c_d():
    root = newick.loads(TREES[-1]["newick"])[0]  # ((B:0.2,(C:0.3,D:0.4)E:0.5)F:0.1)A;
    show(root.ascii_art())

    assert root.name == "A"
    assert root.get_leaf_names() == ["B", "C", "D"]
    assert [node.name for node in root.descendants] == ["F"]  # A has a single branch, to F
    assert root.get_node("F").length == 0.1


def test_grammar_node_kinds_on_a_parsed_tree():
    """Leaf: no descendants. Internal: "(" BranchSet ")" Name. BranchSet: one or more Branches (edge + subtree)."""
    root = newick.loads(FULL)[0]
    kinds = {node.name: "leaf" if node.is_leaf else "internal" for node in root.walk()}
    branch_sets = {node.name: [child.name for child in node.descendants] for node in root.walk() if not node.is_leaf}
    show_table(
        "grammar node kinds", ["node", "kind", "branch set"], [[n, k, branch_sets.get(n, "")] for n, k in kinds.items()]
    )

    assert kinds == {"F": "internal", "A": "leaf", "B": "leaf", "E": "internal", "C": "leaf", "D": "leaf"}
    assert branch_sets == {"F": ["A", "B", "E"], "E": ["C", "D"]}
    assert [child.ancestor.name for child in root.get_node("E").descendants] == ["E", "E"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(A,B", "different number of opening and closing braces"),
        ("((A,B),C", "different number of opening and closing braces"),
        ("A,B)", "invalid brace nesting"),
        (")A,B(", "invalid brace nesting"),
        ("(A B,C)", "Node names must not contain whitespace or punctuation"),
        ("(A,B)C(D)", "Node names must not contain whitespace or punctuation"),
    ],
)
def test_malformed_input_raises_value_error_saying_what_is_wrong(text, message):
    with pytest.raises(ValueError) as raised:
        newick.loads(text)

    assert str(raised.value) == message


def test_whitespace_is_allowed_in_a_quoted_name():
    leaf = newick.loads("('A B',C);")[0].descendants[0]

    assert leaf.name == "'A B'"
    assert leaf.unquoted_name == "A B"


def test_a_non_numeric_length_is_accepted_on_parse_and_fails_only_when_read():
    """The grammar says Length -> ":" number; newick 1.11 stores the text and fails late, on .length."""
    tree = newick.loads("(A:x,B);")[0]

    assert newick.dumps(tree) == "(A:x,B);"  # parsed and written back without complaint
    with pytest.raises(ValueError, match="could not convert string to float: 'x'"):
        _ = tree.descendants[0].length


def test_a_lone_unnamed_leaf_is_valid_grammar_but_the_library_rejects_it():
    """ "();" is Internal -> "(" BranchSet ")" Name with one Branch whose Leaf has an empty Name and Length.
    newick 1.11 refuses to read it, and writes such a tree as ";", losing the branch: hypothesis found this."""
    tree = newick.Node()
    tree.add_descendant(newick.Node())

    assert newick.dumps(tree) == ";"
    with pytest.raises(ValueError, match="Node names must not contain whitespace or punctuation"):
        newick.loads("();")


# --- property: any tree we can build survives dumps -> loads -------------------------------------------------

names = st.one_of(
    st.none(),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=6),
)
lengths = st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False))


@st.composite
def trees(draw, depth=3):
    node = newick.Node(draw(names), length=draw(lengths))
    if depth > 0:
        for child in draw(st.lists(trees(depth=depth - 1), max_size=3)):
            node.add_descendant(child)
    return node


def is_lone_empty_leaf(node):
    return node.newick == "" and node.ancestor is not None and len(node.ancestor.descendants) == 1


def snapshot(tree):
    return [(n.name, n.length, len(n.descendants)) for n in tree.walk()]


@settings(max_examples=60, deadline=None)
@given(trees())
def test_random_trees_survive_dumps_then_loads(tree):
    assume(not any(is_lone_empty_leaf(n) for n in tree.walk()))  # the one shape newick 1.11 cannot read back
    text = newick.dumps(tree)
    (back,) = newick.loads(text)

    assert snapshot(back) == snapshot(tree)
    assert newick.dumps(back) == text
