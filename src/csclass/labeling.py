"""Label conversations, and label whole files chunk by chunk."""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .defaults import DEFAULTS, ReadOptions, default_model_dir
from .features import prepare_documents
from .model import ChatClassifier
from .persist import load_model
from .reader import ChatReader, ReadSummary
from .segment import Segmenter
from .taxonomy import AXES, EMPTY_LABELS
from .writer import check_output_path, write_table

if TYPE_CHECKING:
    import pandas as pd

LABEL_COLUMNS = (
    "问题类型",
    "问题类型置信度",
    "原因类别",
    "原因类别置信度",
    "责任方",
    "责任方置信度",
    "依据",
    "需复核",
)
BUYER_TEXT_COLUMN = "买家内容"
#: Conversation attributes kept in the output, under these names when the input had none.
EXTRA_NAMES = {
    "satisfaction": "满意度",
    "resolved": "是否解决",
    "buyer_id": "买家ID",
    "agent_id": "客服ID",
}
Progress = Callable[[int, int], None]
#: Conversations per task sent to a worker process.
TASK_CONVERSATIONS = 4000
#: Inputs larger than this (about 5,000 conversations) start the workers before reading.
START_WORKERS_EARLY_BYTES = 4_000_000
_WORKER_LABELER: Labeler | None = None


def _init_worker(model_dir: str, review_threshold: float) -> None:
    global _WORKER_LABELER  # one model per worker process, loaded once
    # A forked worker inherits the parent's loaded model; a spawned one loads it.
    if _WORKER_LABELER is None:
        _WORKER_LABELER = Labeler.from_dir(model_dir, review_threshold)


def _predict_in_worker(conversations: pd.DataFrame) -> pd.DataFrame:
    assert _WORKER_LABELER is not None
    return _WORKER_LABELER.predict(conversations)


def _tasks(frames: Iterable[pd.DataFrame], size: int) -> Iterator[pd.DataFrame]:
    for frame in frames:
        for start in range(0, len(frame), size):
            yield frame.iloc[start : start + size]


def _ready() -> None:
    """A no-op task: submitting one per worker starts the workers (and their model load) now."""


def predict_chunks(
    frames: Iterable[pd.DataFrame],
    labeler: Labeler,
    workers: int,
    start_early: bool = False,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Label conversation frames, in order, on ``workers`` processes.

    The model is loaded once per worker: a forked worker inherits
    ``labeler``, a spawned one loads the model from ``labeler.directory``.
    At most ``2 × workers`` tasks are in flight, so memory does not grow with
    the input. A single small chunk is labelled in this process: starting
    workers would cost more than it saves. With ``start_early`` (a big input)
    the workers start before the first frame is read, while this process reads.

    Yields
    ------
    (conversations, labels)
        Each task's conversations and their labels, in input order.
    """
    tasks = _tasks(frames, TASK_CONVERSATIONS)
    if workers > 1 and start_early:
        yield from _predict_in_pool(tasks, labeler, workers)
        return
    first = next(tasks, None)
    second = next(tasks, None) if first is not None else None
    if first is None:
        return
    if workers <= 1 or second is None:
        for task in (t for t in (first, second) if t is not None):
            yield task, labeler.predict(task)
        for task in tasks:
            yield task, labeler.predict(task)
        return

    def remaining() -> Iterator[pd.DataFrame]:
        yield first
        yield second
        yield from tasks

    yield from _predict_in_pool(remaining(), labeler, workers)


def _predict_in_pool(tasks: Iterator[pd.DataFrame], labeler: Labeler, workers: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_LABELER
    inherited, _WORKER_LABELER = _WORKER_LABELER, labeler
    try:
        pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(str(labeler.directory), labeler.review_threshold))
        for _ in range(workers):
            pool.submit(_ready)  # starts (forks) the workers now, while the model is set
    finally:
        _WORKER_LABELER = inherited
    with pool:
        pending: deque[tuple[pd.DataFrame, Any]] = deque()
        for task in tasks:
            pending.append((task, pool.submit(_predict_in_worker, task[["buyer_text", "agent_text"]])))
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Labeler:
    """A loaded model ready to label conversations.

    Parameters
    ----------
    model : ChatClassifier
        A fitted model.
    card : dict
        Its card.
    review_threshold : float
        A conversation is flagged 需复核 when any axis's confidence is below it.
    directory : Path, optional
        Where the model was loaded from (worker processes that do not inherit
        this labeler load the model from there).
    """

    def __init__(
        self,
        model: ChatClassifier,
        card: dict[str, Any],
        review_threshold: float = DEFAULTS.review_threshold,
        directory: Path | None = None,
    ) -> None:
        self.model = model
        self.card = card
        self.review_threshold = review_threshold
        self.directory = directory
        self.segmenter = Segmenter()

    @classmethod
    def from_dir(cls, directory: str | Path | None = None, review_threshold: float = DEFAULTS.review_threshold) -> Labeler:
        """Load the model in ``directory`` (default: the shipped model)."""
        path = Path(directory) if directory else default_model_dir()
        model, card = load_model(path)
        return cls(model, card, review_threshold, path)

    def predict(self, conversations: pd.DataFrame) -> pd.DataFrame:
        """Label conversations.

        Parameters
        ----------
        conversations : pandas.DataFrame
            Reader output (``buyer_text``, ``agent_text``).

        Returns
        -------
        pandas.DataFrame
            The columns in ``LABEL_COLUMNS``, same index. A conversation with no
            buyer text is labelled 咨询/其他/无 with confidence 0 and 需复核.
        """
        import pandas as pd

        empty = conversations["buyer_text"].fillna("").str.strip().eq("")
        out = pd.DataFrame(index=conversations.index, columns=list(LABEL_COLUMNS))
        if (~empty).any():
            docs = prepare_documents(conversations[~empty], self.segmenter, self.model.params)
            out.loc[~empty, list(LABEL_COLUMNS[:-1])] = self.model.predict(docs)
        for axis in AXES:
            out.loc[empty, axis] = EMPTY_LABELS[axis]
            out.loc[empty, f"{axis}置信度"] = 0.0
        out.loc[empty, "依据"] = ""
        confidences = out[[f"{a}置信度" for a in AXES]].astype(float)
        out[[f"{a}置信度" for a in AXES]] = confidences
        out["需复核"] = confidences.min(axis=1).lt(self.review_threshold)
        for col in ("问题类型置信度", "原因类别置信度", "责任方置信度"):
            out[col] = out[col].astype(float)
        out["需复核"] = out["需复核"].astype(bool)
        return out


def output_frame(conversations: pd.DataFrame, labels: pd.DataFrame, summary: ReadSummary) -> pd.DataFrame:
    """Arrange labelled conversations as the ``label`` output table.

    The conversation id keeps its input column name (``会话ID`` when the input
    had none), then the first message time, the joined buyer text as 买家内容,
    conversation attributes (satisfaction, resolved, buyer and agent ids,
    response times) when the input has them, and the label columns last.
    """
    import pandas as pd

    cols = summary.columns
    assert cols is not None
    out = pd.DataFrame(index=conversations.index)
    out[cols.id or "会话ID"] = conversations["conv_id"]
    if cols.time:
        out[cols.time] = conversations["start_time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out[BUYER_TEXT_COLUMN] = conversations["buyer_text"]
    for key in EXTRA_NAMES:
        if key in cols.extras:
            out[cols.extras[key]] = conversations[key]
    if cols.message_level and cols.time:
        out["首次响应秒"] = conversations["first_response_s"].round(1)
        out["平均响应秒"] = conversations["avg_response_s"].round(1)
    for col in LABEL_COLUMNS:
        out[col] = labels[col]
    return out


@dataclass
class LabelRun:
    """What a ``label`` run did."""

    output: Path
    summary: ReadSummary
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    review: int = 0
    conversations: int = 0
    truncated_cells: int = 0


def default_output(input_path: Path) -> Path:
    """``INPUT_labeled.csv`` beside the input."""
    return input_path.with_name(f"{input_path.stem}_labeled.csv")


def label_file(
    input_path: str | Path,
    output: str | Path | None = None,
    *,
    model_dir: str | Path | None = None,
    options: ReadOptions | None = None,
    mask_pii: bool = False,
    workers: int = 1,
    progress: Progress | None = None,
) -> LabelRun:
    """Label every conversation of a chat export and write one row per conversation.

    Parameters
    ----------
    input_path : str or Path
        CSV or .xlsx chat export.
    output : str or Path, optional
        Output table (.csv, .xlsx, .parquet); default ``INPUT_labeled.csv``.
    model_dir : str or Path, optional
        Model directory; default the shipped model.
    options : ReadOptions, optional
        Reading options.
    mask_pii : bool
        Mask personal data in the output text columns.
    workers : int
        Processes that label in parallel; output order and content do not
        depend on it.
    progress : callable, optional
        Called as ``progress(conversations_done, input_rows_read)``.

    Returns
    -------
    LabelRun
    """
    source = Path(input_path)
    target = Path(output) if output else default_output(source)
    reader = ChatReader(source, options)
    check_output_path(target, [source])
    labeler = Labeler.from_dir(model_dir)  # fail fast, before reading the input, on a bad model
    run = LabelRun(output=target, summary=reader.summary, counts={a: Counter() for a in AXES})

    def chunks() -> Iterator[pd.DataFrame]:
        big = source.is_file() and source.stat().st_size > START_WORKERS_EARLY_BYTES
        for conversations, labels in predict_chunks(reader.iter_conversations(), labeler, workers, start_early=big):
            frame = output_frame(conversations, labels, reader.summary)
            if mask_pii:
                from .pii import mask_pii as mask

                frame[BUYER_TEXT_COLUMN] = frame[BUYER_TEXT_COLUMN].map(mask)
            for axis in AXES:
                run.counts[axis].update(labels[axis].tolist())
            run.review += int(labels["需复核"].sum())
            run.conversations += len(frame)
            if progress:
                progress(run.conversations, reader.summary.input_rows)
            yield frame

    writer = write_table(chunks(), target)
    run.truncated_cells = writer.truncated_cells
    return run
