"""Label conversations, and label whole files chunk by chunk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
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
    """

    def __init__(self, model: ChatClassifier, card: dict[str, Any], review_threshold: float = DEFAULTS.review_threshold) -> None:
        self.model = model
        self.card = card
        self.review_threshold = review_threshold
        self.segmenter = Segmenter()

    @classmethod
    def from_dir(cls, directory: str | Path | None = None, review_threshold: float = DEFAULTS.review_threshold) -> Labeler:
        """Load the model in ``directory`` (default: the shipped model)."""
        model, card = load_model(directory or default_model_dir())
        return cls(model, card, review_threshold)

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
    labeler = Labeler.from_dir(model_dir)
    run = LabelRun(output=target, summary=reader.summary, counts={a: Counter() for a in AXES})

    def chunks() -> Iterator[pd.DataFrame]:
        for conversations in reader.iter_conversations():
            labels = labeler.predict(conversations)
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
