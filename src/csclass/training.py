"""Train a model on labelled conversations and measure it by cross-validation."""

from __future__ import annotations

import datetime as _dt
import hashlib
import platform
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .defaults import DEFAULTS, ModelParams, ReadOptions, default_training_dir
from .errors import LabelValueError, TrainingDataError
from .evaluation import score_labels
from .features import prepare_documents
from .model import ChatClassifier, fit_temperature
from .reader import ChatReader
from .segment import Segmenter
from .taxonomy import AXES, CAUSE, LABELS, RESPONSIBILITY, TYPE

if TYPE_CHECKING:
    import pandas as pd

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
Progress = Callable[[str, int, int], None]


def training_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories into the table files they hold, sorted by name."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in TABLE_SUFFIXES and p.is_file())
            if not found:
                raise TrainingDataError(f"{path}: 目录中没有 CSV 或 .xlsx 文件；请用 --data 指定训练文件")
            files.extend(found)
        else:
            files.append(path)
    return files


def read_labelled(paths: Iterable[str | Path], options: ReadOptions | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """Read labelled conversations from files or directories.

    Parameters
    ----------
    paths : iterable of str or Path
        Files, or directories of files, in any input shape, carrying the
        columns 问题类型, 原因类别, 责任方.
    options : ReadOptions, optional
        Reading options applied to every file.

    Returns
    -------
    conversations : pandas.DataFrame
        Labelled conversations with a ``source`` column.
    skipped : dict
        File name → conversations without labels, left out.

    Raises
    ------
    TrainingDataError
        A file has no label columns.
    LabelValueError
        A label is outside the taxonomy.
    """
    import pandas as pd

    frames, skipped = [], {}
    for path in training_files(paths):
        reader = ChatReader(path, options)
        missing = [a for a in AXES if a not in reader.columns.extras]
        if missing:
            raise TrainingDataError(f"{path.name}: 缺少标签列 {'、'.join(missing)}；训练数据需要 问题类型、原因类别、责任方 三列")
        frame = reader.read()
        unlabelled = frame[list(AXES)].isna().any(axis=1)
        if unlabelled.any():
            skipped[path.name] = int(unlabelled.sum())
            frame = frame[~unlabelled]
        for axis in AXES:
            bad = ~frame[axis].isin(LABELS[axis])
            if bad.any():
                row = frame.loc[bad.idxmax()]
                raise LabelValueError(
                    f"{path.name} 第 {row['first_row']} 行: {axis} “{row[axis]}” 不在标签集中；可用的值：{'、'.join(LABELS[axis])}"
                )
        frame["source"] = path.name
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    return data, skipped


def data_fingerprint(paths: Iterable[Path]) -> str:
    """SHA-256 over the bytes of the training files, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class TrainingResult:
    """A fitted model, its card and its cross-validated scores."""

    model: ChatClassifier
    card: dict[str, Any]
    cv_scores: dict[str, Any] | None
    skipped: dict[str, int]


def cross_validate(
    documents: pd.DataFrame,
    labels: pd.DataFrame,
    params: ModelParams,
    folds: int,
    random_state: int,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Cross-validated predictions and scores.

    Folds are stratified on 原因类别 and shuffled with ``random_state``.

    Returns
    -------
    scores : dict
        :func:`csclass.evaluation.score_labels` of the out-of-fold predictions.
    predictions : pandas.DataFrame
        Out-of-fold predictions, aligned with ``labels``.
    """
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold

    counts = labels[CAUSE].value_counts()
    n_splits = max(2, min(folds, int(counts.min())))
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    parts = []
    scores: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for i, (train_idx, test_idx) in enumerate(splitter.split(documents, labels[CAUSE])):
        if progress:
            progress("交叉验证", i, n_splits)
        model = ChatClassifier(params, random_state=random_state)
        model.fit(documents.iloc[train_idx], labels.iloc[train_idx])
        features = model.transform(documents.iloc[test_idx])
        for key, s in model.head_scores(features).items():
            scores.setdefault(key, []).append((test_idx, s))
        parts.append(model.predict(documents.iloc[test_idx]))
    if progress:
        progress("交叉验证", n_splits, n_splits)
    predictions = pd.concat(parts).loc[labels.index]
    temperatures = {}
    types = labels[TYPE].to_numpy()
    for key, folds_scores in scores.items():
        # A responsibility head given a type is calibrated on the conversations of that type.
        axis, _, given = key.partition("|")
        index = np.concatenate([idx for idx, _ in folds_scores])
        stacked = np.vstack([s for _, s in folds_scores])
        if given:
            keep = types[index] == given
            index, stacked = index[keep], stacked[keep]
        truth = np.array([LABELS[axis].index(v) for v in labels[axis].to_numpy()[index]])
        finite = np.isfinite(stacked[np.arange(len(truth)), truth])
        if finite.any():
            temperatures[key] = round(fit_temperature(np.where(np.isfinite(stacked), stacked, -1e9)[finite], truth[finite]), 4)
    result = score_labels(labels, predictions)
    result["temperatures"] = temperatures
    return result, predictions


def train_model(
    paths: Iterable[str | Path] | None = None,
    *,
    with_base: bool = False,
    params: ModelParams | None = None,
    folds: int = DEFAULTS.cv_folds,
    random_state: int = DEFAULTS.random_state,
    options: ReadOptions | None = None,
    progress: Progress | None = None,
) -> TrainingResult:
    """Train a model on labelled conversations.

    Parameters
    ----------
    paths : iterable of str or Path, optional
        Labelled files or directories; default the shipped ``training_data/``.
    with_base : bool
        Add the shipped corpus to the user's files.
    params : ModelParams, optional
        Model settings.
    folds : int
        Cross-validation folds; 0 skips cross-validation.
    random_state : int
        Seed for folds and solvers. Same data and seed give the same model.
    options : ReadOptions, optional
        Reading options.
    progress : callable, optional
        Called as ``progress(stage, done, total)``.

    Returns
    -------
    TrainingResult
    """
    params = params or ModelParams()
    sources = list(paths) if paths else [default_training_dir()]
    if with_base and paths:
        sources.append(default_training_dir())
    files = training_files(sources)
    data, skipped = read_labelled(files, options)
    labels = data[list(AXES)]
    if len(data) < 10 or labels[CAUSE].nunique() < 2:
        raise TrainingDataError(f"只有 {len(data)} 个带标签的会话、{labels[CAUSE].nunique()} 种原因类别；至少需要 10 个会话和 2 种原因类别")
    segmenter = Segmenter()
    if progress:
        progress("分词", 0, 1)
    documents = prepare_documents(data, segmenter, params)
    if progress:
        progress("分词", 1, 1)
    cv_scores = None
    if folds:
        cv_scores, _ = cross_validate(documents, labels, params, folds, random_state, progress)
    if progress:
        progress("训练最终模型", 0, 1)
    model = ChatClassifier(params, random_state=random_state).fit(documents, labels)
    if cv_scores:
        # Calibrate each head on out-of-fold scores: the final model is as sure as CV showed it can be.
        model.temperatures_ = dict(cv_scores["temperatures"])
    if progress:
        progress("训练最终模型", 1, 1)
    card = make_card(model, files, data, cv_scores, random_state, segmenter.backend)
    return TrainingResult(model=model, card=card, cv_scores=cv_scores, skipped=skipped)


def make_card(
    model: ChatClassifier,
    files: list[Path],
    data: pd.DataFrame,
    cv_scores: dict[str, Any] | None,
    random_state: int,
    segmenter_backend: str,
) -> dict[str, Any]:
    """Build the JSON model card."""
    import jieba
    import sklearn

    try:
        from importlib.metadata import version

        import rjieba  # noqa: F401

        rjieba_version: str | None = version("rjieba")
    except ImportError:
        rjieba_version = None
    return {
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": {
            "csclass": __version__,
            "scikit-learn": sklearn.__version__,
            "jieba": jieba.__version__,
            "rjieba": rjieba_version,
            "python": platform.python_version(),
        },
        "segmenter": segmenter_backend,
        "labels": {axis: list(LABELS[axis]) for axis in AXES},
        "type_prior": model.type_prior,
        "temperatures": getattr(model, "temperatures_", None),
        "params": dict(vars(model.params)),
        "random_state": random_state,
        "training_data": {
            "files": [p.name for p in files],
            "sha256": data_fingerprint(files),
            "conversations": len(data),
            "label_counts": {axis: data[axis].value_counts().to_dict() for axis in (TYPE, CAUSE, RESPONSIBILITY)},
        },
        "metrics": {"cross_validation": cv_scores},
    }
