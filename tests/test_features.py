from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from csclass.defaults import ModelParams
from csclass.features import EMPTY_TOKEN, CharNgramVectorizer, TokenNgramVectorizer, prepare_documents
from csclass.segment import Segmenter

DOCS = ["快递 三天 没动", "快递 到了 吗", "质量 太差 快递 三天", "快递 太慢 三天 没动", "😡 差评"] * 2


def _aligned(ours, names_ours, theirs, names_theirs):
    order = [list(names_theirs).index(n) for n in names_ours]
    return ours.toarray(), theirs.toarray()[:, order]


def test_token_vectorizer_matches_sklearn() -> None:
    ours = TokenNgramVectorizer(min_df=2).fit(DOCS)
    ref = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=False).fit(DOCS)
    assert sorted(ours.get_feature_names_out()) == sorted(ref.get_feature_names_out())
    a, b = _aligned(ours.transform(DOCS), ours.get_feature_names_out(), ref.transform(DOCS), ref.get_feature_names_out())
    np.testing.assert_allclose(a, b, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs",), blacklist_characters="\x00 \n\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000"
            ),
            min_size=1,
            max_size=20,
        ),
        min_size=2,
        max_size=8,
    )
)
def test_char_vectorizer_matches_sklearn(docs: list[str]) -> None:
    ours = CharNgramVectorizer((1, 3), min_df=1).fit(docs)
    ref = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=1, sublinear_tf=True, lowercase=False).fit(docs)
    assert sorted(ours.get_feature_names_out()) == sorted(ref.get_feature_names_out())
    a, b = _aligned(ours.transform(docs), ours.get_feature_names_out(), ref.transform(docs), ref.get_feature_names_out())
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_unknown_ngrams_are_ignored() -> None:
    vec = CharNgramVectorizer((1, 2), min_df=1).fit(["快递"])
    assert vec.transform(["退款"]).nnz == 0
    assert vec.transform(["快递退款"]).nnz == 3


def test_prepare_documents_blocks() -> None:
    convs = pd.DataFrame(
        {"buyer_text": ["在吗\n我的快递三天没动了，订单号4587213369025", ""], "agent_text": ["亲亲在的哦~请稍等，已经帮您催促快递", ""]}
    )
    docs = prepare_documents(convs, Segmenter(), ModelParams())
    assert docs.loc[0, "chars"] == "在吗\n我的快递三天没动了,订单号 xorder"
    assert "快递" in docs.loc[0, "words"].split() and "xorder" in docs.loc[0, "words"].split()
    assert docs.loc[0, "first"].split()[0] == "快递"  # the greeting line is skipped
    assert "催促" in docs.loc[0, "agent"] and "稍等" not in docs.loc[0, "agent"]
    assert docs.loc[1, "words"] == EMPTY_TOKEN and docs.loc[1, "agent"] == EMPTY_TOKEN


def test_long_text_cut_for_features() -> None:
    long = "质" * 10_000
    docs = prepare_documents(pd.DataFrame({"buyer_text": [long], "agent_text": [""]}), Segmenter(), ModelParams(max_chars=50))
    assert len(docs.loc[0, "chars"]) == 50


@pytest.mark.parametrize("vec", [TokenNgramVectorizer(min_df=1), CharNgramVectorizer(min_df=1)])
def test_rows_are_unit_length(vec) -> None:
    matrix = vec.fit_transform(DOCS)
    np.testing.assert_allclose(np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1, 1.0, rtol=1e-5)


def test_lexicon_block_reads_the_buyer_text_and_can_be_left_out() -> None:
    from csclass.features import make_vectorizer

    docs = prepare_documents(pd.DataFrame({"buyer_text": ["收到就碎了,太失望"] * 2, "agent_text": ["亲"] * 2}), Segmenter(), ModelParams())
    vec = make_vectorizer(ModelParams()).fit(docs)
    names = [n for n in vec.get_feature_names_out() if n.startswith("lexicon__")]
    row = vec.transform(docs).toarray()[0]
    fired = {n for n, v in zip(vec.get_feature_names_out(), row, strict=True) if n.startswith("lexicon__") and v > 0}
    assert fired == {"lexicon__defect", "lexicon__neg"} and len(names) == 17
    without = make_vectorizer(ModelParams(lexicon_weight=0.0)).fit(docs)
    assert not any(n.startswith("lexicon__") for n in without.get_feature_names_out())
