"""Word classes of buyer language: a hand-written lexicon and its feature block.

The corpus shows the model only so many ways of saying "it broke", "still not
here" or "the courier crushed it"; real buyers use many more. The lexicon
(``data/lexicon.txt``, written by us) maps short expressions to a few classes —
tone and speech act (``neg``, ``pos``, ``defect``, ``delay``, ``sugg``, ``ask``,
``remedy``, ``self``) and topic (``logistics``, ``aftersales``, ``description``,
``quality``, ``service``, ``price``, ``order``, ``carrier``, ``shopfault``) — so an
expression the corpus never used still counts for its class.

Matching is leftmost-longest over the normalised buyer text, without
segmentation: at each position the longest entry wins and matches never
overlap, so 不满意 counts as ``neg`` and not as the ``pos`` of 满意. Entries of
class ``guard`` only block shorter matches (差不多 keeps 差 from firing).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from .features import EstimatorParams
from .normalize import PLACEHOLDER_TOKENS, normalize_text

#: Class that blocks shorter matches and produces no feature.
GUARD = "guard"
#: The classes the shipped lexicon may use.
LEXICON_CLASSES = (
    "neg",
    "pos",
    "defect",
    "delay",
    "sugg",
    "ask",
    "remedy",
    "self",
    "logistics",
    "aftersales",
    "description",
    "quality",
    "service",
    "price",
    "order",
    "carrier",
    "shopfault",
    GUARD,
)


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[tuple[str, str], ...]:
    """Return the shipped lexicon as sorted, de-duplicated (expression, class) pairs.

    Expressions are normalised the way buyer text is (full-width folded,
    Latin lower-cased), so they match what the model sees.

    Raises
    ------
    ValueError
        A line names a class outside :data:`LEXICON_CLASSES` (a packaging bug).
    """
    text = resources.files("csclass").joinpath("data/lexicon.txt").read_text("utf-8")
    pairs = set()
    for line in text.splitlines():
        if not line.strip():
            continue
        expression, _, label = line.partition("\t")
        expression = normalize_text(expression).strip()
        label = label.strip()
        if label not in LEXICON_CLASSES:
            raise ValueError(f"data/lexicon.txt: unknown class {label!r} for {expression!r}")
        # A number (12315) becomes a placeholder in buyer text; it cannot match as written.
        if expression and not any(token in expression for token in PLACEHOLDER_TOKENS):
            pairs.add((expression, label))
    return tuple(sorted(pairs))


class LexiconVectorizer(EstimatorParams):
    """Counts of lexicon classes in each document, as an l2-normalised block.

    Parameters
    ----------
    entries : tuple of (str, str), optional
        (expression, class) pairs; the shipped lexicon when None. The fitted
        vectorizer keeps its own copy, so a saved model does not change when
        the shipped lexicon does.

    Attributes
    ----------
    classes_ : ndarray of str
        Feature classes in column order (``guard`` excluded).
    expressions_ : str
        The lexicon as ``expression<TAB>class`` lines, as fitted.
    """

    def __init__(self, entries: tuple[tuple[str, str], ...] | None = None) -> None:
        self.entries = entries

    def fit(self, docs: Any, y: Any = None) -> LexiconVectorizer:
        """Fix the lexicon and its classes (the documents are not needed)."""
        import numpy as np

        entries = self.entries if self.entries is not None else load_lexicon()
        self.expressions_ = "\n".join(f"{e}\t{c}" for e, c in entries)
        self.classes_ = np.asarray(sorted({c for _, c in entries} - {GUARD}), dtype=str)
        return self

    def _automaton(self) -> tuple[Any, Any]:
        """The matcher of the fitted lexicon and its (expression × class) matrix; built on first use, never saved."""
        cached = self.__dict__.get("_automaton_cache")
        if cached is not None and cached[0] is self.expressions_:
            return cached[1], cached[2]
        import ahocorasick_rs
        import numpy as np
        import scipy.sparse as sp

        column = {c: i for i, c in enumerate(self.classes_.tolist())}
        classes_of: dict[str, list[int]] = {}
        for line in self.expressions_.split("\n") if self.expressions_ else []:
            expression, _, label = line.partition("\t")
            ids = classes_of.setdefault(expression, [])
            if label in column:
                ids.append(column[label])
        expressions = sorted(classes_of)
        rows = [i for i, e in enumerate(expressions) for _ in classes_of[e]]
        cols = [c for e in expressions for c in classes_of[e]]
        membership = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(expressions), len(column)))
        # UTF-8 is self-synchronising: a pattern's bytes only match at character boundaries.
        matcher = ahocorasick_rs.BytesAhoCorasick(
            [e.encode("utf-8") for e in expressions], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )
        self._automaton_cache = (self.expressions_, matcher, membership)
        return matcher, membership

    def transform(self, docs: Any) -> Any:
        """Return sublinear class counts, l2-normalised per row (CSR, float32)."""
        import numpy as np
        import scipy.sparse as sp

        encoded = [str(d).encode("utf-8") for d in docs]
        n_docs, n_classes = len(encoded), len(self.classes_)
        if n_docs == 0 or n_classes == 0 or not self.expressions_:
            return sp.csr_matrix((n_docs, n_classes), dtype=np.float32)
        matcher, membership = self._automaton()
        # One pass over all documents joined by NUL, which no expression contains.
        starts = np.cumsum([0] + [len(e) + 1 for e in encoded[:-1]])
        matches = np.asarray(matcher.find_matches_as_indexes(b"\x00".join(encoded)), dtype=np.int64).reshape(-1, 3)
        doc_of = np.searchsorted(starts, matches[:, 1], side="right") - 1
        hits = sp.csr_matrix(
            (np.ones(len(matches), dtype=np.float32), (doc_of, matches[:, 0])),
            shape=(n_docs, membership.shape[0]),
        )
        counts = sp.csr_matrix(hits @ membership, dtype=np.float32)
        counts.eliminate_zeros()
        counts.data = 1 + np.log(counts.data)
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel()).astype(np.float32)
        norms[norms == 0] = 1
        return sp.csr_matrix(sp.diags(1 / norms) @ counts, dtype=np.float32)

    def fit_transform(self, docs: Any, y: Any = None) -> Any:
        """Fit, then transform ``docs``."""
        return self.fit(docs).transform(docs)

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        """The class names, in column order."""
        import numpy as np

        return np.asarray(self.classes_, dtype=object)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_automaton_cache", None)
        return state
