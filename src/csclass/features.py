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
  lower, since labels judge the buyer's problem;
* ``lexicon``: counts of the hand-written lexicon's word classes in the buyer's
  text (:mod:`csclass.lexicon`), so expressions the corpus never used still
  count for their class.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .defaults import ModelParams
from .normalize import normalize_text, strip_boilerplate
from .segment import Segmenter

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.compose import ColumnTransformer

DOC_COLUMNS = ("words", "chars", "first", "agent")
#: Agent text used for features: its opening is where agents restate the problem.
AGENT_CHARS = 300
#: Stands for an empty block (no agent text, say), so every block has a vocabulary.
EMPTY_TOKEN = "xempty"
_GREETING = re.compile(r"^(?:在吗|在不在|在么|你好|您好|hello|hi|亲|客服|有人吗|[\s?？!！,，.。~]+)+$", re.I)


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
    cut = segmenter.words
    words, chars, first, agent = [], [], [], []
    buyer_texts = conversations["buyer_text"].fillna("").tolist()
    agent_texts = conversations["agent_text"].fillna("").tolist()
    for buyer, agent_text in zip(buyer_texts, agent_texts, strict=True):
        norm = normalize_text(buyer[:limit])
        chars.append(norm)
        # jieba never joins across a newline, so cutting the whole text equals
        # cutting it message by message.
        words.append(" ".join(cut(norm)))
        first.append(_first_substantive(norm, cut))
        agent.append(" ".join(cut(strip_boilerplate(normalize_text(agent_text[:AGENT_CHARS])))) if agent_text else "")
    return pd.DataFrame(
        {
            "words": [w or EMPTY_TOKEN for w in words],
            "chars": chars,
            "first": [f or EMPTY_TOKEN for f in first],
            "agent": [a or EMPTY_TOKEN for a in agent],
        },
        index=conversations.index,
    )


def _first_substantive(text: str, cut: Any) -> str:
    """Tokens of the first message that is not a bare greeting and has content tokens."""
    for line in text.split("\n"):
        if _GREETING.match(line.strip()):
            continue
        tokens = cut(line)
        if tokens:
            return " ".join(tokens)
    return ""


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

    from .lexicon import LexiconVectorizer

    def tokens(ngram_max: int, max_features: int, min_df: int) -> TokenNgramVectorizer:
        return TokenNgramVectorizer(bigrams=ngram_max > 1, min_df=min_df, max_features=max_features)

    chars = CharNgramVectorizer(
        ngram_range=(params.char_ngram_min, params.char_ngram_max),
        min_df=params.min_df,
        max_features=params.max_features_char,
    )
    blocks: list[tuple[str, Any, str]] = [
        ("words", tokens(params.word_ngram_max, params.max_features_word, params.min_df), "words"),
        ("chars", chars, "chars"),
        ("first", tokens(1, params.max_features_word, params.min_df), "first"),
        ("agent", tokens(1, params.max_features_word, params.min_df), "agent"),
    ]
    weights = {"words": 1.0, "chars": 1.0, "first": params.first_weight, "agent": params.agent_weight}
    if params.lexicon_weight > 0:
        blocks.append(("lexicon", LexiconVectorizer(), "chars"))
        weights["lexicon"] = params.lexicon_weight
    return ColumnTransformer(blocks, transformer_weights=weights, sparse_threshold=1.0)


class EstimatorParams:
    """The scikit-learn parameter protocol (used by ``clone`` in ColumnTransformer).

    Parameters are the constructor's keyword arguments, stored under their own names.
    """

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters."""
        import inspect

        return {name: getattr(self, name) for name in inspect.signature(type(self).__init__).parameters if name != "self"}

    def set_params(self, **params: Any) -> Any:
        """Set constructor parameters."""
        for key, value in params.items():
            setattr(self, key, value)
        return self


class _KeyedVocabulary(EstimatorParams):
    """A vectorizer whose fitted vocabulary is a sorted array of integer keys.

    The hash index over the keys is built on first use and never saved.
    """

    _keys_attribute = ""

    def _index(self) -> Any:
        """A pandas Index over the keys: ``get_indexer`` maps keys to positions, -1 if absent."""
        import pandas as pd

        keys = getattr(self, self._keys_attribute)
        cached = self.__dict__.get("_index_cache")
        if cached is None or cached[0] is not keys:  # built once per fitted vocabulary
            cached = (keys, pd.Index(keys))
            self._index_cache = cached
        return cached[1]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_index_cache", None)
        return state


class CharNgramVectorizer(_KeyedVocabulary):
    """TF-IDF of character n-grams, computed with array operations.

    Equivalent in spirit to ``TfidfVectorizer(analyzer="char", sublinear_tf=True)``
    but vectorised over a whole batch: every character becomes its code point,
    an n-gram becomes one 63-bit integer (21 bits per character), and counting,
    vocabulary lookup and weighting are numpy operations. No segmentation and no
    Python loop per character, which makes it many times faster on chat text.

    Parameters
    ----------
    ngram_range : tuple of int
        Smallest and largest n, at most 3.
    min_df : int
        Minimum number of documents an n-gram must occur in.
    max_features : int or None
        Keep the n-grams with the highest document frequency.

    Attributes
    ----------
    vocabulary_keys_ : ndarray of uint64
        Sorted n-gram keys; a key's position is its feature index.
    idf_ : ndarray of float32
        Smoothed inverse document frequencies, ``log((1 + n) / (1 + df)) + 1``.
    """

    _keys_attribute = "vocabulary_keys_"

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), min_df: int = 2, max_features: int | None = None) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def _doc_keys(self, docs: Any) -> tuple[Any, Any]:
        import numpy as np

        texts = [str(d) for d in docs]
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        all_docs, all_keys = [], []
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            if len(points) < n:
                continue
            m = len(points) - n + 1
            key = points[:m].copy()
            for offset in range(1, n):
                key = (key << np.uint64(21)) | points[offset : offset + m]
            same_doc = doc_of[:m] == doc_of[n - 1 :]
            all_docs.append(doc_of[:m][same_doc])
            all_keys.append(key[same_doc])
        if not all_keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        return np.concatenate(all_docs), np.concatenate(all_keys)

    def fit(self, docs: Any, y: Any = None) -> CharNgramVectorizer:
        """Learn the n-gram vocabulary and idf weights."""
        import numpy as np

        doc_ids, keys = self._doc_keys(docs)
        n_docs = len(docs)
        pairs = np.unique(np.stack([keys, doc_ids.astype(np.uint64)]), axis=1)
        uniq, df = np.unique(pairs[0], return_counts=True)
        keep = df >= self.min_df
        uniq, df = uniq[keep], df[keep]
        if self.max_features is not None and len(uniq) > self.max_features:
            top = np.lexsort((uniq, -df))[: self.max_features]
            uniq, df = uniq[top], df[top]
            order = np.argsort(uniq)
            uniq, df = uniq[order], df[order]
        self.vocabulary_keys_ = uniq
        self.idf_ = (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)
        return self

    def transform(self, docs: Any) -> Any:
        """Return the l2-normalised sublinear TF-IDF matrix (CSR, float32)."""
        doc_ids, keys = self._doc_keys(docs)
        return _tfidf_matrix(doc_ids, keys, self._index(), self.idf_, len(docs))

    def fit_transform(self, docs: Any, y: Any = None) -> Any:
        """Fit, then transform ``docs``."""
        return self.fit(docs).transform(docs)

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        """The n-grams as strings, in feature order."""
        import numpy as np

        names = []
        mask = np.uint64((1 << 21) - 1)
        for key in self.vocabulary_keys_:
            chars = []
            while key:
                chars.append(chr(int(key & mask)))
                key = key >> np.uint64(21)
            names.append("".join(reversed(chars)))
        return np.asarray(names, dtype=object)


class TokenNgramVectorizer(_KeyedVocabulary):
    """TF-IDF of word unigrams and bigrams over space-separated tokens, vectorised.

    Tokens come from :func:`prepare_documents` (already segmented). Each token is
    looked up once in the unigram vocabulary; a bigram is the pair of its two
    unigram ids, so bigram counting and lookup are integer array operations.
    Weighting matches ``TfidfVectorizer(sublinear_tf=True)``: ``1 + log(tf)``
    times smoothed idf, rows l2-normalised.

    Parameters
    ----------
    bigrams : bool
        Add word bigrams to unigrams.
    min_df : int
        Minimum number of documents a feature must occur in.
    max_features : int or None
        Keep the features with the highest document frequency.

    Attributes
    ----------
    unigrams_ : dict of str to int
        Unigram vocabulary (including unigrams kept only as parts of bigrams).
    feature_keys_ : ndarray of int64
        Sorted feature keys: a unigram ``u`` is ``u``, a bigram ``(a, b)`` is
        ``(a + 1) * n_unigrams + b``.
    idf_ : ndarray of float32
        Inverse document frequencies, in feature order.
    """

    _keys_attribute = "feature_keys_"

    def __init__(self, bigrams: bool = True, min_df: int = 2, max_features: int | None = None) -> None:
        self.bigrams = bigrams
        self.min_df = min_df
        self.max_features = max_features

    def _doc_keys(self, docs: Any, unigrams: dict[str, int]) -> tuple[Any, Any]:
        import numpy as np

        lookup = unigrams.get
        ids: list[int] = []
        lengths = []
        for doc in docs:
            tokens = str(doc).split()
            lengths.append(len(tokens))
            ids.extend(lookup(t, -1) for t in tokens)
        ids_arr = np.asarray(ids, dtype=np.int64)
        doc_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        keys = [ids_arr[ids_arr >= 0]]
        doc_ids = [doc_of[ids_arr >= 0]]
        if self.bigrams and len(ids_arr) > 1:
            first, second = ids_arr[:-1], ids_arr[1:]
            ok = (first >= 0) & (second >= 0) & (doc_of[:-1] == doc_of[1:])
            keys.append((first[ok] + 1) * len(unigrams) + second[ok])
            doc_ids.append(doc_of[:-1][ok])
        return np.concatenate(doc_ids), np.concatenate(keys)

    def fit(self, docs: Any, y: Any = None) -> TokenNgramVectorizer:
        """Learn the vocabulary and idf weights."""
        from collections import Counter

        import numpy as np

        df_counter: Counter[str] = Counter()
        for doc in docs:
            df_counter.update(set(str(doc).split()))
        # A bigram's parts are at least as frequent as the bigram, so min_df on
        # unigrams loses no bigram that passes min_df itself.
        words = sorted(w for w, c in df_counter.items() if c >= self.min_df)
        self.unigrams_ = {w: i for i, w in enumerate(words)}
        doc_ids, keys = self._doc_keys(docs, self.unigrams_)
        pairs = np.unique(np.stack([keys, doc_ids]), axis=1)
        uniq, df = np.unique(pairs[0], return_counts=True)
        keep = df >= self.min_df
        uniq, df = uniq[keep], df[keep]
        if self.max_features is not None and len(uniq) > self.max_features:
            top = np.sort(np.lexsort((uniq, -df))[: self.max_features])
            uniq, df = uniq[top], df[top]
        self.feature_keys_ = uniq
        self.idf_ = (np.log((1 + len(docs)) / (1 + df)) + 1).astype(np.float32)
        return self

    def transform(self, docs: Any) -> Any:
        """Return the l2-normalised sublinear TF-IDF matrix (CSR, float32)."""
        doc_ids, keys = self._doc_keys(docs, self.unigrams_)
        return _tfidf_matrix(doc_ids, keys, self._index(), self.idf_, len(docs))

    def fit_transform(self, docs: Any, y: Any = None) -> Any:
        """Fit, then transform ``docs``."""
        return self.fit(docs).transform(docs)

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        """Unigrams as themselves, bigrams as ``"a b"``, in feature order."""
        import numpy as np

        words = sorted(self.unigrams_, key=self.unigrams_.__getitem__)
        n = len(words)
        names = [words[k] if k < n else f"{words[k // n - 1]} {words[k % n]}" for k in self.feature_keys_.tolist()]
        return np.asarray(names, dtype=object)

    def __getstate__(self) -> dict[str, Any]:
        # skops writes a dict entry by entry (slow to load); one NUL-joined
        # string (NUL never survives normalisation) loads in milliseconds.
        state = super().__getstate__()
        if "unigrams_" in state:
            state["unigrams_"] = "\x00".join(sorted(self.unigrams_, key=self.unigrams_.__getitem__))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        words = state.get("unigrams_")
        if isinstance(words, str):
            state["unigrams_"] = {w: i for i, w in enumerate(words.split("\x00"))} if words else {}
        self.__dict__.update(state)


def _tfidf_matrix(doc_ids: Any, keys: Any, index: Any, idf: Any, n_docs: int) -> Any:
    """Sublinear TF-IDF rows from (document, feature key) occurrences, l2-normalised.

    Keys are looked up in a hash index (``index``, a pandas Index over the vocabulary),
    which is several times faster than a binary search over the vocabulary, and
    repeated (document, feature) pairs are summed by scipy's COO -> CSR
    conversion instead of a sort of all occurrences.
    """
    import numpy as np
    import scipy.sparse as sp

    n_features = len(index)
    if n_features == 0 or len(keys) == 0:
        return sp.csr_matrix((n_docs, n_features), dtype=np.float32)
    cols = index.get_indexer(keys)
    found = cols >= 0
    counts = sp.csr_matrix(
        (np.ones(int(found.sum()), dtype=np.float32), (doc_ids[found], cols[found])),
        shape=(n_docs, n_features),
    )
    counts.sum_duplicates()
    counts.sort_indices()
    values = (1 + np.log(counts.data)) * idf[counts.indices]
    rows = np.repeat(np.arange(n_docs), np.diff(counts.indptr))
    squares = np.bincount(rows, weights=values.astype(np.float64) ** 2, minlength=n_docs)
    norms = np.sqrt(squares).astype(np.float32)
    norms[norms == 0] = 1
    counts.data = (values / norms[rows]).astype(np.float32)
    return counts
