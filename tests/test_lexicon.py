from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from csclass.lexicon import GUARD, LEXICON_CLASSES, LexiconVectorizer, load_lexicon

ENTRIES = (
    ("满意", "pos"),
    ("不满意", "neg"),
    ("差", "neg"),
    ("差不多", GUARD),
    ("坏", "defect"),
    ("快递", "logistics"),
    ("退款", "aftersales"),
    ("退款", "remedy"),
)


def _counts(docs: list[str]) -> tuple[list[str], np.ndarray]:
    vectorizer = LexiconVectorizer(entries=ENTRIES).fit(docs)
    return list(vectorizer.get_feature_names_out()), vectorizer.transform(docs).toarray()


def test_classes_exclude_guard_and_are_sorted() -> None:
    names, _ = _counts(["x"])
    assert names == ["aftersales", "defect", "logistics", "neg", "pos", "remedy"]


def test_longest_match_wins_and_guard_blocks() -> None:
    names, x = _counts(["不满意", "满意", "差不多吧", "差"])
    neg, pos = names.index("neg"), names.index("pos")
    np.testing.assert_allclose(x[0], np.eye(len(names))[neg])  # 不满意 is not also 满意
    np.testing.assert_allclose(x[1], np.eye(len(names))[pos])
    np.testing.assert_allclose(x[2], np.zeros(len(names)))  # 差不多 blocks 差
    np.testing.assert_allclose(x[3], np.eye(len(names))[neg])


def test_counts_are_sublinear_and_l2_normalised() -> None:
    names, x = _counts(["快递太差,坏了坏了"])
    raw = np.zeros(len(names))
    raw[names.index("logistics")] = 1.0
    raw[names.index("neg")] = 1.0
    raw[names.index("defect")] = 1 + np.log(2)
    np.testing.assert_allclose(x[0], raw / np.linalg.norm(raw), rtol=1e-6)


def test_an_expression_in_two_classes_counts_for_both() -> None:
    names, x = _counts(["退款"])
    assert x[0, names.index("aftersales")] == x[0, names.index("remedy")] > 0.7


def test_no_match_across_documents() -> None:
    _, x = _counts(["顺丰快", "递到了"])
    assert not x.any()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="满意不差多坏快递退款了,x", max_size=12), min_size=1, max_size=6))
def test_a_batch_equals_its_documents_one_by_one(docs: list[str]) -> None:
    vectorizer = LexiconVectorizer(entries=ENTRIES).fit(docs)
    batch = vectorizer.transform(docs).toarray()
    single = np.vstack([vectorizer.transform([d]).toarray() for d in docs])
    np.testing.assert_allclose(batch, single, rtol=1e-6)


def test_fitted_lexicon_is_kept_when_the_entries_change() -> None:
    vectorizer = LexiconVectorizer(entries=ENTRIES).fit(["x"])
    vectorizer.entries = (("快递", "logistics"),)
    assert vectorizer.transform(["不满意"]).toarray()[0, list(vectorizer.classes_).index("neg")] == 1.0


def test_shipped_lexicon_uses_known_classes() -> None:
    entries = load_lexicon()
    assert {c for _, c in entries} <= set(LEXICON_CLASSES)
    assert {c for _, c in entries} >= set(LEXICON_CLASSES) - {GUARD}
    assert all(e == e.strip() and e == e.lower() and "\t" not in e for e, _ in entries)
