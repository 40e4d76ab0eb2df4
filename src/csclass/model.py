"""The three-axis conversation classifier.

Three linear heads — 问题类型, 原因类别, 责任方 — share one TF-IDF feature
space. Each head is a class-balanced logistic regression, so its probabilities
carry the evidence of the text with no label prior baked in.

Responsibility is largely implied by the type (咨询 and 建议 blame nobody), so
its text evidence is taken given the type: ``P_resp(r | t)`` comes from a head
trained on the 咨询 conversations only (无 vs 客户) and one trained on the 投诉
conversations only (商家 / 物流 / 客户); a 建议 blames nobody. A head trained on
all conversations would count the type's evidence twice (无 vs the rest is the
type question again) and, when wrong, overrule the type head.

Reconciliation rule (the one place predictions are made consistent): the three
axes are decoded jointly. For every combination (type, cause, responsibility)

    score = P_type(t) · P_cause(c) · P_resp(r | t) · prior(t, c, r)

where ``prior(t, c, r) = type_prior(t) · P(c | t) · P(r | t, c)``, the last two
estimated from the training labels with add-one smoothing, and ``P(r | t, c)``
is zero where the taxonomy forbids the pair (咨询 → 无 or 客户; 建议 → 无;
投诉 → 商家, 物流 or 客户). The highest-scoring combination is the prediction
and each axis's confidence is its marginal share of the normalised scores, so
no prediction the taxonomy forbids is ever output.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from .defaults import DEFAULTS, ModelParams
from .features import make_vectorizer
from .normalize import PLACEHOLDER_TOKENS
from .taxonomy import (
    ALLOWED_RESPONSIBILITY,
    AXES,
    CAUSE,
    CAUSE_LABELS,
    LABELS,
    RESPONSIBILITY,
    RESPONSIBILITY_LABELS,
    TYPE,
    TYPE_LABELS,
)

if TYPE_CHECKING:
    import pandas as pd

_ALL_HAN = re.compile(r"[\u4e00-\u9fff]+")
_READABLE = re.compile(r"(?=.*[\u4e00-\u9fff])[\u4e00-\u9fffA-Za-z0-9]+|[A-Za-z0-9]{2,}")

#: Types whose responsibility has its own head (建议 always blames nobody).
RESPONSIBILITY_GIVEN_TYPE = ("咨询", "投诉")


def responsibility_key(type_label: str) -> str:
    """Key of the responsibility head given ``type_label`` in ``heads_`` and in probabilities."""
    return f"{RESPONSIBILITY}|{type_label}"


#: Share of 建议 among real buyer messages is small (about one in twenty); the
#: corpus over-represents suggestions so that the head learns them.
DEFAULT_TYPE_PRIOR: dict[str, float] = {"咨询": 0.475, "投诉": 0.475, "建议": 0.05}


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """Temperature minimising the log-loss of ``softmax(scores / T)`` against true class indices.

    Parameters
    ----------
    scores : ndarray of shape (n, k)
        Out-of-fold class scores.
    truth : ndarray of shape (n,)
        True class indices.

    Returns
    -------
    float
        The temperature, between 0.05 and 50.
    """
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        p = _softmax(scores / np.exp(log_t))
        return float(-np.log(np.clip(p[rows, truth], 1e-12, None)).mean())

    best = minimize_scalar(loss, bounds=(np.log(0.05), np.log(50.0)), method="bounded")
    return float(np.exp(best.x))


class ChatClassifier:
    """Label prepared conversation documents on the three taxonomy axes.

    Parameters
    ----------
    params : ModelParams
        Feature and regularisation settings.
    type_prior : dict, optional
        Expected share of each 问题类型 in the data to label.
    random_state : int
        Seed for the solvers.

    Attributes
    ----------
    vectorizer_ : ColumnTransformer
        Fitted feature blocks.
    heads_ : dict of str to LogisticRegression
        One fitted head per axis, and the responsibility heads given the type
        under the keys ``"责任方|咨询"`` and ``"责任方|投诉"``.
    joint_prior_ : ndarray of shape (3, 8, 4)
        ``prior(t, c, r)`` of the reconciliation rule.
    feature_names_ : ndarray of str
        Names of the feature columns, for evidence tokens.
    temperatures_ : dict of str to float
        Per-head temperature for calibrated probabilities; set by
        :func:`csclass.training.train_model` from cross-validation.
    """

    def __init__(
        self,
        params: ModelParams | None = None,
        type_prior: dict[str, float] | None = None,
        random_state: int = DEFAULTS.random_state,
    ) -> None:
        self.params = params or ModelParams()
        self.type_prior = dict(type_prior or DEFAULT_TYPE_PRIOR)
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------
    def fit(self, documents: pd.DataFrame, labels: pd.DataFrame) -> ChatClassifier:
        """Fit the vectorizer, the three heads and the joint prior.

        Parameters
        ----------
        documents : pandas.DataFrame
            Output of :func:`csclass.features.prepare_documents`.
        labels : pandas.DataFrame
            Columns 问题类型, 原因类别, 责任方 with taxonomy labels.

        Returns
        -------
        ChatClassifier
            self
        """

        self.vectorizer_ = make_vectorizer(self.params)
        features = self.vectorizer_.fit_transform(documents)
        for _, vectorizer, _ in self.vectorizer_.transformers_:
            # The pruned-term list is only for introspection and dominates the file size.
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
        self.feature_names_ = np.asarray(self.vectorizer_.get_feature_names_out(), dtype=str)
        self.heads_ = {axis: self._fit_head(features, labels[axis].to_numpy()) for axis in AXES}
        types = labels[TYPE].to_numpy()
        for t in RESPONSIBILITY_GIVEN_TYPE:
            rows = types == t
            if rows.any():
                self.heads_[responsibility_key(t)] = self._fit_head(features[rows], labels[RESPONSIBILITY].to_numpy()[rows])
        self.joint_prior_ = self._joint_prior(labels)
        self.temperatures_ = {axis: 1.0 for axis in AXES}
        return self

    def _fit_head(self, features: Any, y: np.ndarray) -> Any:
        """A class-balanced logistic regression; a prior-only head when ``y`` holds one value."""
        from sklearn.dummy import DummyClassifier
        from sklearn.linear_model import LogisticRegression

        if len(set(y.tolist())) < 2:
            # A user's data may hold one value on an axis (all complaints, say).
            return DummyClassifier(strategy="prior").fit(features, y)
        head = LogisticRegression(C=self.params.C, class_weight="balanced", max_iter=2000, random_state=self.random_state)
        return head.fit(features, y)

    def _joint_prior(self, labels: pd.DataFrame) -> np.ndarray:
        counts = np.ones((len(TYPE_LABELS), len(CAUSE_LABELS), len(RESPONSIBILITY_LABELS)))
        ti = {v: i for i, v in enumerate(TYPE_LABELS)}
        ci = {v: i for i, v in enumerate(CAUSE_LABELS)}
        ri = {v: i for i, v in enumerate(RESPONSIBILITY_LABELS)}
        for t, c, r in labels[list(AXES)].itertuples(index=False):
            counts[ti[t], ci[c], ri[r]] += 1
        for t, allowed in ALLOWED_RESPONSIBILITY.items():
            for r in RESPONSIBILITY_LABELS:
                if r not in allowed:
                    counts[ti[t], :, ri[r]] = 0.0
        resp_given_tc = counts / counts.sum(axis=2, keepdims=True)
        cause_given_t = counts.sum(axis=2) / counts.sum(axis=(1, 2))[:, None]
        type_prior = np.array([self.type_prior.get(t, 1.0) for t in TYPE_LABELS])
        type_prior = type_prior / type_prior.sum()
        return type_prior[:, None, None] * cause_given_t[:, :, None] * resp_given_tc

    # -- persistence -----------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_evidence_cache", None)  # derived, rebuilt on first use
        return state

    # -- prediction ----------------------------------------------------------
    def transform(self, documents: pd.DataFrame) -> Any:
        """Return the feature matrix of prepared documents."""
        return self.vectorizer_.transform(documents)

    def head_scores(self, features: Any) -> dict[str, np.ndarray]:
        """Return each head's class scores (log-probabilities up to a constant), taxonomy label order.

        Labels a head never saw get a score of -inf.
        """
        out = {}
        for axis, head in self.heads_.items():
            labels = LABELS[axis.partition("|")[0]]  # "责任方|投诉" scores responsibility
            if hasattr(head, "decision_function"):
                raw = head.decision_function(features)
                if raw.ndim == 1:  # binary head: the score of classes_[1] against classes_[0]
                    raw = np.column_stack([np.zeros_like(raw), raw])
            else:  # a one-class head
                raw = np.log(np.clip(head.predict_proba(features), 1e-12, None))
            full = np.full((raw.shape[0], len(labels)), -np.inf)
            for j, cls in enumerate(head.classes_):
                full[:, labels.index(cls)] = raw[:, j]
            out[axis] = full
        return out

    def head_probabilities(self, features: Any) -> dict[str, np.ndarray]:
        """Return each head's calibrated class probabilities in taxonomy label order.

        Scores are divided by the head's temperature (``temperatures_``, fitted on
        cross-validated predictions by :func:`csclass.training.train_model`; 1
        when none was fitted) before the softmax.
        """
        temperatures = getattr(self, "temperatures_", {})
        return {axis: _softmax(scores / temperatures.get(axis, 1.0)) for axis, scores in self.head_scores(features).items()}

    def decode(self, probabilities: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Apply the reconciliation rule.

        Parameters
        ----------
        probabilities : dict
            Head probabilities from :meth:`head_probabilities`.

        Returns
        -------
        dict
            Axis name → (label indices, confidences), each of shape (n,).
        """
        pt, pc, pr = probabilities[TYPE], probabilities[CAUSE], probabilities[RESPONSIBILITY]
        # P_resp(r | t): the head of type t; where there is none (建议, or a model
        # fitted before these heads existed) the all-conversation head, or nothing for 建议.
        given_type = []
        for t in TYPE_LABELS:
            conditional = probabilities.get(responsibility_key(t))
            if conditional is None:
                conditional = np.ones_like(pr) if t == "建议" and responsibility_key("投诉") in probabilities else pr
            given_type.append(conditional)
        pr_t = np.stack(given_type, axis=1)
        joint = pt[:, :, None, None] * pc[:, None, :, None] * pr_t[:, :, None, :]
        joint = joint * self.joint_prior_[None]
        joint /= joint.sum(axis=(1, 2, 3), keepdims=True)
        n = joint.shape[0]
        best = joint.reshape(n, -1).argmax(axis=1)
        t_idx, c_idx, r_idx = np.unravel_index(best, joint.shape[1:])
        rows = np.arange(n)
        return {
            TYPE: (t_idx, joint.sum(axis=(2, 3))[rows, t_idx]),
            CAUSE: (c_idx, joint.sum(axis=(1, 3))[rows, c_idx]),
            RESPONSIBILITY: (r_idx, joint.sum(axis=(1, 2))[rows, r_idx]),
        }

    def predict(self, documents: pd.DataFrame) -> pd.DataFrame:
        """Predict labels and confidences.

        Parameters
        ----------
        documents : pandas.DataFrame
            Prepared documents.

        Returns
        -------
        pandas.DataFrame
            Columns 问题类型, 问题类型置信度, 原因类别, 原因类别置信度, 责任方,
            责任方置信度, 依据; same index as ``documents``.
        """
        import pandas as pd

        features = self.transform(documents)
        decoded = self.decode(self.head_probabilities(features))
        out = pd.DataFrame(index=documents.index)
        for axis, labels in ((TYPE, TYPE_LABELS), (CAUSE, CAUSE_LABELS), (RESPONSIBILITY, RESPONSIBILITY_LABELS)):
            idx, conf = decoded[axis]
            out[axis] = np.asarray(labels, dtype=object)[idx]
            out[f"{axis}置信度"] = np.round(conf, 4)
        out["依据"] = self.evidence(features, decoded[CAUSE][0])
        return out

    def evidence(self, features: Any, cause_idx: np.ndarray, k: int = DEFAULTS.evidence_tokens) -> list[str]:
        """Return, per row, the tokens that pushed most towards the predicted cause.

        Parameters
        ----------
        features : sparse matrix
            Feature matrix.
        cause_idx : ndarray
            Predicted cause indices (taxonomy order).
        k : int
            Tokens per row.

        Returns
        -------
        list of str
            Tokens joined by "、".
        """
        head = self.heads_[CAUSE]
        if not hasattr(head, "coef_"):
            return [""] * features.shape[0]
        classes = list(head.classes_)
        coef = head.coef_
        if coef.shape[0] == 1:  # binary head: one row, for classes_[1]
            coef = np.vstack([-coef[0], coef[0]])
        csr = features.tocsr()
        n = csr.shape[0]
        position = {c: i for i, c in enumerate(classes)}
        class_row = np.array([position.get(CAUSE_LABELS[c], -1) for c in cause_idx], dtype=np.int64)
        rows = np.repeat(np.arange(n), np.diff(csr.indptr))
        cols = csr.indices
        tokens, kind = self._evidence_vocabulary()
        keep = (class_row[rows] >= 0) & (kind[cols] >= 0)
        rows, cols = rows[keep], cols[keep]
        contrib = csr.data[keep] * coef[class_row[rows], cols]
        positive = contrib > 0
        rows, cols, contrib = rows[positive], cols[positive], contrib[positive]
        # Per row: whole words first, then character n-grams, each by contribution.
        # One float key sorts all three at once, faster than a three-key lexsort:
        # the integer part is (row, kind), the fraction falls as contribution rises.
        fraction = 0.999 * (1.0 - contrib.astype(np.float64) / (np.float64(contrib.max(initial=0.0)) * 1.000001))
        order = np.argsort(rows * 2 + kind[cols] + fraction, kind="stable")
        rows, cols = rows[order], cols[order]
        bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
        col_list = cols.tolist()  # Python ints: indexing a list with them is fast
        out = []
        for i in range(n):
            chosen: list[str] = []
            for col in col_list[bounds[i] : bounds[i + 1]]:
                token = tokens[col]
                if any(token in c or c in token for c in chosen):
                    continue
                chosen.append(token)
                if len(chosen) >= k:
                    break
            out.append("、".join(chosen))
        return out

    def _evidence_vocabulary(self) -> tuple[list[str], np.ndarray]:
        """Cleaned feature tokens and their kind: 0 word, 1 character n-gram, -1 unusable."""
        cached = getattr(self, "_evidence_cache", None)
        if cached is None:
            tokens, kinds = [], []
            for name in self.feature_names_:
                block, _, token = str(name).partition("__")
                token = token.replace(" ", "")
                # Readable evidence: words with a Chinese character or 2+ letters/digits;
                # character n-grams only when they are all Chinese.
                usable = (
                    block not in ("agent", "lexicon")
                    and token not in PLACEHOLDER_TOKENS
                    and len(token) >= 2
                    and (_ALL_HAN.fullmatch(token) if block == "chars" else _READABLE.fullmatch(token)) is not None
                )
                tokens.append(token)
                kinds.append((1 if block == "chars" else 0) if usable else -1)
            cached = (tokens, np.asarray(kinds, dtype=np.int64))
            self._evidence_cache = cached
        return cached
