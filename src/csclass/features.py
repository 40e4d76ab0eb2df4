"""Turn conversations into model features.

Preparation (:func:`prepare_documents`) is stateless: it normalises the text
and segments it, so it is done once per conversation and shared by
cross-validation folds. The fitted part (:func:`make_vectorizer`) is a
scikit-learn ``ColumnTransformer`` of TF-IDF blocks:

* ``words``: jieba word unigrams and bigrams of the buyer's text;
* ``chars``: character 1–3-grams of the buyer's text (robust to typos and to
  words the dictionary splits badly);
* ``first``: word unigrams of the buyer's first substantive message (the taxonomy
  labels the issue the buyer raises first when there are several);
* ``agent``: word unigrams of the agent's text without boilerplate, weighted
  lower, since labels judge the buyer's problem.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .defaults import ModelParams
from .normalize import normalize_text, strip_boilerplate
from .segment import Segmenter

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.compose import ColumnTransformer

DOC_COLUMNS = ("words", "chars", "first", "agent")
#: Stands for an empty block (no agent text, say), so every block has a vocabulary.
EMPTY_TOKEN = "xempty"
_GREETING = re.compile(r"^(?:在吗|在不在|在么|你好|您好|hello|hi|亲|客服|有人吗|[\s?？!！,，.。~]+)+$", re.I)


def _first_substantive(lines: str) -> str:
    for line in lines.split("\n"):
        if line.strip() and not _GREETING.match(line.strip()):
            return line
    return ""


def prepare_documents(conversations: pd.DataFrame, segmenter: Segmenter, params: ModelParams) -> pd.DataFrame:
    """Normalise and segment conversations into feature documents.

    Parameters
    ----------
    conversations : pandas.DataFrame
        Reader output with ``buyer_text`` and ``agent_text``.
    segmenter : Segmenter
        Word segmenter.
    params : ModelParams
        ``max_chars`` bounds the buyer text used (longer text is cut there).

    Returns
    -------
    pandas.DataFrame
        Columns ``words``, ``chars``, ``first``, ``agent``: space-joined tokens
        or normalised text, one row per conversation, same index.
    """
    import pandas as pd

    limit = params.max_chars
    words, chars, first, agent = [], [], [], []
    for buyer, agent_text in zip(conversations["buyer_text"].fillna(""), conversations["agent_text"].fillna(""), strict=True):
        norm = normalize_text(buyer[:limit])
        chars.append(norm)
        words.append(" ".join(segmenter.words(norm)))
        first.append(" ".join(segmenter.words(normalize_text(_first_substantive(buyer[:limit])))))
        agent_norm = strip_boilerplate(normalize_text(agent_text[:limit]))
        agent.append(" ".join(segmenter.words(agent_norm)))
    return pd.DataFrame(
        {
            "words": [w or EMPTY_TOKEN for w in words],
            "chars": chars,
            "first": [f or EMPTY_TOKEN for f in first],
            "agent": [a or EMPTY_TOKEN for a in agent],
        },
        index=conversations.index,
    )


def make_vectorizer(params: ModelParams) -> ColumnTransformer:
    """Return an unfitted vectorizer for prepared documents.

    Parameters
    ----------
    params : ModelParams
        n-gram ranges, vocabulary limits and the agent block's weight.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        TF-IDF blocks ``words``, ``chars``, ``first`` and ``agent``.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer

    def tokens(ngram_max: int, max_features: int, min_df: int) -> TfidfVectorizer:
        return TfidfVectorizer(
            token_pattern=r"\S+",
            lowercase=False,
            ngram_range=(1, ngram_max),
            min_df=min_df,
            max_features=max_features,
            sublinear_tf=True,
            dtype=_float32(),
        )

    chars = TfidfVectorizer(
        analyzer="char",
        lowercase=False,
        ngram_range=(params.char_ngram_min, params.char_ngram_max),
        min_df=params.min_df,
        max_features=params.max_features_char,
        sublinear_tf=True,
        dtype=_float32(),
    )
    return ColumnTransformer(
        [
            ("words", tokens(params.word_ngram_max, params.max_features_word, params.min_df), "words"),
            ("chars", chars, "chars"),
            ("first", tokens(1, params.max_features_word, params.min_df), "first"),
            ("agent", tokens(1, params.max_features_word, params.min_df), "agent"),
        ],
        transformer_weights={"words": 1.0, "chars": 1.0, "first": 0.5, "agent": params.agent_weight},
        sparse_threshold=1.0,
    )


def _float32() -> type:
    import numpy as np

    return np.float32
