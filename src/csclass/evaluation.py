"""Scores of predicted labels against gold labels."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .defaults import ReadOptions
from .taxonomy import AXES, CAUSE, LABELS

if TYPE_CHECKING:
    import pandas as pd


def score_axis(gold: list[str], predicted: list[str], labels: tuple[str, ...]) -> dict[str, Any]:
    """Score one axis.

    Parameters
    ----------
    gold, predicted : list of str
        Labels per conversation.
    labels : tuple of str
        The axis's label set, in report order.

    Returns
    -------
    dict
        ``accuracy``, ``macro_f1`` (over labels present in gold or predictions),
        ``per_class`` (label → precision, recall, f1, support) and
        ``confusion`` (rows gold, columns predicted, in ``labels`` order).
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    present = [lab for lab in labels if lab in set(gold) | set(predicted)]
    p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=present, zero_division=0)
    return {
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "macro_f1": round(float(f1_score(gold, predicted, labels=present, average="macro", zero_division=0)), 4),
        "per_class": {
            lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4), "support": int(s[i])}
            for i, lab in enumerate(present)
        },
        "labels": list(labels),
        "confusion": confusion_matrix(gold, predicted, labels=list(labels)).tolist(),
    }


def share_error(gold: list[str], predicted: list[str], labels: tuple[str, ...]) -> float:
    """Mean absolute difference, in percentage points, between gold and predicted label shares."""
    n = max(len(gold), 1)
    return round(sum(abs(gold.count(lab) - predicted.count(lab)) / n for lab in labels) / len(labels) * 100, 2)


def score_labels(gold: pd.DataFrame, predicted: pd.DataFrame) -> dict[str, Any]:
    """Score all three axes.

    Parameters
    ----------
    gold, predicted : pandas.DataFrame
        Columns 问题类型, 原因类别, 责任方, aligned row by row.

    Returns
    -------
    dict
        Axis → :func:`score_axis` result, plus ``cause_share_mae_pp`` and ``n``.
    """
    out: dict[str, Any] = {"n": len(gold)}
    for axis in AXES:
        out[axis] = score_axis(gold[axis].tolist(), predicted[axis].tolist(), LABELS[axis])
    out["cause_share_mae_pp"] = share_error(gold[CAUSE].tolist(), predicted[CAUSE].tolist(), LABELS[CAUSE])
    return out


def evaluate_file(
    gold_path: str | Path,
    *,
    model_dir: str | Path | None = None,
    options: ReadOptions | None = None,
) -> dict[str, Any]:
    """Label a gold file with a model and score the predictions.

    Parameters
    ----------
    gold_path : str or Path
        Any input file carrying the columns 问题类型, 原因类别, 责任方.
    model_dir : str or Path, optional
        Model directory; default the shipped model.
    options : ReadOptions, optional
        Reading options.

    Returns
    -------
    dict
        :func:`score_labels` result plus ``model`` (its directory).
    """
    from .labeling import Labeler
    from .training import read_labelled

    data, skipped = read_labelled([gold_path], options)
    labeler = Labeler.from_dir(model_dir)
    predicted = labeler.predict(data)
    scores = score_labels(data, predicted)
    scores["unlabelled_skipped"] = sum(skipped.values())
    return scores
