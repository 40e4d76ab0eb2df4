"""The "问题诊断与原因分析" section of a customer-service monthly report.

:func:`build_report` turns labelled conversations into one plain dict (the JSON
format's content); the renderers in :mod:`csclass.report_render` lay it out as
Markdown, HTML or Excel. :func:`report_file` reads an export (raw chats, labelled
on the fly, or a ``csclass label`` output), builds the report and writes it.

Definitions
-----------
* Month of a conversation: the month of its first message. Conversations with no
  valid time are counted (``no_time``) and left out of monthly figures.
* Change: this month's share minus the previous month's, in percentage points;
  the previous month is the latest earlier month present in the data.
* Significant: a two-sided two-proportion z-test at the 5% level.
* First response: the agent's first reply after the buyer's first message;
  mean, p95 and p99 (linear interpolation between order statistics).
* Repeat issue: the same buyer had another conversation on the same cause in the
  7 days before this one.
* Complaint rate: share of 投诉 among the conversations.
* Adjusted share: adjusted classify-and-count with the model card's
  cross-validated confusion matrix (see :mod:`csclass.stats`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .defaults import ReadOptions, default_model_dir
from .errors import CsclassError, InputFileError
from .normalize import PLACEHOLDER_TOKENS, normalize_text, remove_control_chars
from .pii import mask_pii
from .reader import ChatReader, ReadSummary
from .stats import adjusted_shares, distinctive_keywords, two_proportion_test
from .taxonomy import CAUSE, CAUSE_LABELS, RESPONSIBILITY, TYPE, TYPE_LABELS

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("md", "html", "xlsx", "json")
COMPLAINT_RESPONSIBILITY = ("商家", "物流", "客户")
REPEAT_WINDOW_DAYS = 7
QUOTE_CHARS = 120
YES = {"是", "已解决", "解决", "yes", "y", "true", "1", "resolved", "已处理"}
NO = {"否", "未解决", "没解决", "no", "n", "false", "0", "unresolved", "未处理"}
KPI_NEEDS = {
    "first_response": "每行一条消息的导出，且有 时间 列（或 label 输出中的 首次响应秒 列）",
    "satisfaction": "满意度 或 评分 列（1–5）",
    "resolution": "是否解决 列",
    "repeat": "买家ID / 顾客ID / user_id 列",
    "per_agent": "客服ID 列",
}


class ReportError(CsclassError):
    """The data cannot make the requested report."""


def _month(ts: pd.Series) -> pd.Series:
    return ts.dt.strftime("%Y-%m")


def _share_block(this: pd.Series, prev: pd.Series | None, labels: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    n, m = len(this), (len(prev) if prev is not None else 0)
    counts = this.value_counts()
    prev_counts = prev.value_counts() if prev is not None else None
    out = {}
    for lab in labels:
        c = int(counts.get(lab, 0))
        share = c / n if n else None
        entry: dict[str, Any] = {"count": c, "share": _r(share)}
        if prev_counts is not None and m:
            pc = int(prev_counts.get(lab, 0))
            entry.update(
                previous_count=pc,
                previous_share=_r(pc / m),
                change_pp=_r((c / n - pc / m) * 100 if n else None, 2),
            )
            p = two_proportion_test(c, n, pc, m)
            entry["p_value"] = _r(p)
            entry["significant"] = bool(p is not None and p < 0.05)
        else:
            entry.update(previous_count=None, previous_share=None, change_pp=None, p_value=None, significant=False)
        out[lab] = entry
    return out


def _r(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return round(float(value), digits)


def _tokens(texts: pd.Series, segmenter: Any) -> list[list[str]]:
    out = []
    for text in texts.fillna(""):
        words = segmenter.words(normalize_text(text))
        out.append([w for w in words if len(w) > 1 and w not in PLACEHOLDER_TOKENS and not re.fullmatch(r"[\W\d_]+", w)])
    return out


def _quote(text: str) -> str:
    text = mask_pii(remove_control_chars(str(text)))
    text = re.sub(r"\s*\n\s*", " / ", text).strip()
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _examples(frame: pd.DataFrame, k: int = 3) -> list[str]:
    if frame.empty:
        return []
    lengths = frame["buyer_text"].fillna("").str.len()
    fit = frame[(lengths >= 6) & (lengths <= 300)]
    pool = fit if len(fit) >= 1 else frame
    conf = pool["原因类别置信度"] if "原因类别置信度" in pool else np.zeros(len(pool))
    picked = pool.assign(_c=conf).sort_values("_c", ascending=False, kind="stable")
    quotes: list[str] = []
    for text in picked["buyer_text"]:
        q = _quote(text)
        if q and q not in quotes:
            quotes.append(q)
        if len(quotes) >= k:
            break
    return quotes


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    """Non-missing float values of ``column``; empty when the column is absent."""
    import pandas as pd

    if column not in frame:
        return pd.Series(dtype=float)
    return frame[column].astype(float).dropna()


def _kpis(frame: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {"conversations": len(frame)}
    fr = _values(frame, "first_response_s")
    out["first_response_mean_s"] = _r(fr.mean(), 1) if len(fr) else None
    out["first_response_p95_s"] = _r(np.percentile(fr, 95), 1) if len(fr) else None
    out["first_response_p99_s"] = _r(np.percentile(fr, 99), 1) if len(fr) else None
    ar = _values(frame, "avg_response_s")
    out["avg_response_mean_s"] = _r(ar.mean(), 1) if len(ar) else None
    sat = _values(frame, "satisfaction_num")
    out["satisfaction_mean"] = _r(sat.mean(), 2) if len(sat) else None
    res = _values(frame, "resolved_flag")
    out["resolution_rate"] = _r(res.mean()) if len(res) else None
    rep = _values(frame, "repeat")
    out["repeat_rate"] = _r(rep.mean()) if len(rep) else None
    out["complaint_rate"] = _r(frame[TYPE].eq("投诉").mean()) if len(frame) else None
    agents = frame["agent_id"].dropna() if "agent_id" in frame else frame.iloc[:0, 0]
    out["agents"] = int(agents.nunique()) if len(agents) else None
    out["conversations_per_agent"] = _r(len(agents) / agents.nunique(), 1) if len(agents) else None
    return out


def _prepare_kpi_columns(data: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    data = data.copy()
    for col in ("first_response_s", "avg_response_s"):
        if col in data:
            data[col] = pd.to_numeric(data[col], errors="coerce")
    if "satisfaction" in data:
        sat = pd.to_numeric(data["satisfaction"], errors="coerce")
        data["satisfaction_num"] = sat.where(sat.between(1, 5))
    if "resolved" in data:
        val = data["resolved"].astype("string").str.strip().str.lower()
        data["resolved_flag"] = np.where(val.isin(YES), 1.0, np.where(val.isin(NO), 0.0, np.nan))
    if "buyer_id" in data and data["buyer_id"].notna().any():
        data["repeat"] = _repeat_flags(data)
    return data


def _repeat_flags(data: pd.DataFrame) -> pd.Series:
    import pandas as pd

    timed = data[data["buyer_id"].notna() & data["start_time"].notna()]
    flags = pd.Series(np.nan, index=data.index)
    window = pd.Timedelta(days=REPEAT_WINDOW_DAYS)
    for _, group in timed.sort_values("start_time", kind="stable").groupby(["buyer_id", CAUSE], sort=False):
        times = group["start_time"]
        previous = times.shift()
        flags.loc[group.index] = ((times - previous) <= window).astype(float).where(previous.notna(), 0.0)
    return flags


def _availability(data: pd.DataFrame) -> dict[str, str]:
    missing = {}
    if "first_response_s" not in data or data["first_response_s"].notna().sum() == 0:
        missing["first_response"] = KPI_NEEDS["first_response"]
    if "satisfaction_num" not in data or data["satisfaction_num"].notna().sum() == 0:
        missing["satisfaction"] = KPI_NEEDS["satisfaction"]
    if "resolved_flag" not in data or np.isnan(data["resolved_flag"].astype(float)).all():
        missing["resolution"] = KPI_NEEDS["resolution"]
    if "repeat" not in data:
        missing["repeat"] = KPI_NEEDS["repeat"]
    if "agent_id" not in data or data["agent_id"].notna().sum() == 0:
        missing["per_agent"] = KPI_NEEDS["per_agent"]
    return missing


def build_report(
    data: pd.DataFrame,
    *,
    month: str | None = None,
    confusion: list[list[int]] | None = None,
    segmenter: Any = None,
    summary: ReadSummary | None = None,
) -> dict[str, Any]:
    """Compute every figure of the diagnosis section.

    Parameters
    ----------
    data : pandas.DataFrame
        Labelled conversations: ``conv_id``, ``start_time``, ``buyer_text``,
        问题类型, 原因类别, 责任方, optionally 原因类别置信度, 需复核 and the
        KPI columns (``first_response_s``, ``satisfaction``, ``resolved``,
        ``buyer_id``, ``agent_id``).
    month : str, optional
        ``YYYY-MM``; default the latest month present.
    confusion : list of lists, optional
        Cross-validated confusion matrix of 原因类别 (rows true, columns
        predicted, taxonomy order) for adjusted shares.
    segmenter : Segmenter, optional
        For keywords; a new one by default.
    summary : ReadSummary, optional
        Reading summary, reported as the data's provenance.

    Returns
    -------
    dict
        The report; see the JSON format in the README.
    """
    import pandas as pd

    from .segment import Segmenter

    segmenter = segmenter or Segmenter()
    data = _prepare_kpi_columns(data)
    months = _month(data["start_time"])
    no_time = int(months.isna().sum())
    present = sorted(months.dropna().unique())
    if not present:
        raise ReportError("没有任何会话带有可解析的时间，无法按月统计；请用 --time-col 指定时间列")
    if month is None:
        month = present[-1]
    elif month not in present:
        raise ReportError(f"数据中没有 {month} 的会话；可选的月份：{'、'.join(present)}")
    earlier = [m for m in present if m < month]
    previous = earlier[-1] if earlier else None
    this = data[months.eq(month)]
    prev = data[months.eq(previous)] if previous else None
    n, m = len(this), (len(prev) if prev is not None else 0)

    report: dict[str, Any] = {
        "month": month,
        "previous_month": previous,
        "conversations": n,
        "previous_conversations": m if previous else None,
        "change": (n - m) if previous else None,
        "change_pct": _r((n - m) / m * 100, 2) if previous and m else None,
        "review_share": _r(this["需复核"].astype(bool).mean()) if "需复核" in this and n else None,
        "no_time": no_time,
        "months": present,
    }
    if summary is not None:
        report["source"] = {
            "path": Path(summary.path).name,
            "input_rows": summary.input_rows,
            "conversations": summary.conversations,
            "warnings": summary.warnings(),
        }
    report["type"] = _share_block(this[TYPE], prev[TYPE] if prev is not None else None, TYPE_LABELS)
    report["cause"] = _share_block(this[CAUSE], prev[CAUSE] if prev is not None else None, CAUSE_LABELS)

    tokens = _tokens(this["buyer_text"], segmenter)
    causes = this[CAUSE].tolist()
    for lab in CAUSE_LABELS:
        group = [t for t, c in zip(tokens, causes, strict=True) if c == lab]
        rest = [t for t, c in zip(tokens, causes, strict=True) if c != lab]
        entry = report["cause"][lab]
        entry["keywords"] = distinctive_keywords(group, rest, k=8) if group else []
        entry["examples"] = _examples(this[this[CAUSE].eq(lab)])
    _add_adjusted(report, this, confusion)

    complaints = this[this[TYPE].eq("投诉")]
    prev_complaints = prev[prev[TYPE].eq("投诉")] if prev is not None else None
    report["complaint_cause"] = _share_block(
        complaints[CAUSE], prev_complaints[CAUSE] if prev_complaints is not None else None, CAUSE_LABELS
    )
    report["responsibility"] = _share_block(
        complaints[RESPONSIBILITY],
        prev_complaints[RESPONSIBILITY] if prev_complaints is not None else None,
        COMPLAINT_RESPONSIBILITY,
    )
    report["complaints"] = len(complaints)

    report["kpis"] = {
        "overall": _kpis(this),
        "by_cause": {lab: _kpis(this[this[CAUSE].eq(lab)]) for lab in CAUSE_LABELS},
        "missing": _availability(data),
    }
    fr = this["first_response_s"].dropna() if "first_response_s" in this else pd.Series(dtype=float)
    report["response_time_hist"] = _histogram(fr)

    dated = data[months.notna()]
    trend_counts = pd.crosstab(_month(dated["start_time"]), dated[CAUSE]).reindex(columns=list(CAUSE_LABELS), fill_value=0)
    totals = trend_counts.sum(axis=1)
    report["trend"] = {
        "months": list(trend_counts.index),
        "conversations": [int(v) for v in totals],
        "count": {lab: [int(v) for v in trend_counts[lab]] for lab in CAUSE_LABELS},
        "share": {lab: [_r(v) for v in (trend_counts[lab] / totals.where(totals > 0))] for lab in CAUSE_LABELS},
    }
    report["suggestions"] = _suggestions(this, tokens)
    report["conclusion"] = conclusion(report)
    return report


def _histogram(values: pd.Series) -> dict[str, Any]:
    edges = [0, 30, 60, 120, 300, 600, 1800, 3600]
    labels = ["<30秒", "30–60秒", "1–2分", "2–5分", "5–10分", "10–30分", "30–60分", "≥60分"]
    if values.empty:
        return {"bins": labels, "counts": [0] * len(labels)}
    idx = np.searchsorted(edges, values.to_numpy(), side="right") - 1
    counts = np.bincount(np.clip(idx, 0, len(labels) - 1), minlength=len(labels))
    return {"bins": labels, "counts": [int(c) for c in counts]}


def _add_adjusted(report: dict[str, Any], this: pd.DataFrame, confusion: list[list[int]] | None) -> None:
    counts = np.array([report["cause"][lab]["count"] for lab in CAUSE_LABELS], dtype=float)
    if confusion is None or counts.sum() == 0:
        report["adjustment"] = {"available": False, "reason": "模型说明中没有交叉验证混淆矩阵"}
        for lab in CAUSE_LABELS:
            report["cause"][lab].update(adjusted_share=None, ci95=None)
        return
    shares, ci = adjusted_shares(counts, np.asarray(confusion, dtype=float))
    report["adjustment"] = {
        "available": True,
        "method": "adjusted classify-and-count（按模型交叉验证混淆矩阵校正），95% 区间为 500 次自助法",
    }
    for i, lab in enumerate(CAUSE_LABELS):
        report["cause"][lab]["adjusted_share"] = _r(shares[i])
        report["cause"][lab]["ci95"] = [_r(ci[i, 0]), _r(ci[i, 1])]


def _suggestions(this: pd.DataFrame, tokens: list[list[str]]) -> dict[str, Any]:
    mask = this[TYPE].eq("建议").to_numpy()
    sug = this[mask]
    sug_tokens = [t for t, keep in zip(tokens, mask, strict=True) if keep]
    other_tokens = [t for t, keep in zip(tokens, mask, strict=True) if not keep]
    themes = []
    causes = sug[CAUSE].tolist()
    for lab, count in sug[CAUSE].value_counts().items():
        group = [t for t, c in zip(sug_tokens, causes, strict=True) if c == lab]
        themes.append(
            {
                "cause": lab,
                "count": int(count),
                "keywords": distinctive_keywords(group, other_tokens, k=6, min_count=1),
                "examples": _examples(sug[sug[CAUSE].eq(lab)], k=2),
            }
        )
    return {"count": len(sug), "themes": themes}


def conclusion(report: dict[str, Any]) -> str:
    """Write the 结论 paragraph from the report's own figures (facts only)."""
    n = report["conversations"]
    parts = [f"{report['month']} 共 {n} 个会话"]
    if report["previous_month"]:
        parts[0] += f"，上月（{report['previous_month']}）{report['previous_conversations']} 个"
        if report["change_pct"] is not None:
            parts[0] += f"，变化 {report['change_pct']:+.1f}%"
    types = report["type"]
    parts.append(
        "问题类型：" + "、".join(f"{lab} {types[lab]['share'] * 100:.1f}%" for lab in TYPE_LABELS if types[lab]["share"] is not None)
    )
    causes = sorted(CAUSE_LABELS, key=lambda lab: -report["cause"][lab]["count"])
    top = causes[0]
    top_entry = report["cause"][top]
    text = f"占比最高的原因类别是 {top}（{top_entry['count']} 个，{top_entry['share'] * 100:.1f}%"
    if top_entry.get("adjusted_share") is not None:
        lo, hi = top_entry["ci95"]
        text += f"；校正后 {top_entry['adjusted_share'] * 100:.1f}%，95% 区间 {lo * 100:.1f}%–{hi * 100:.1f}%"
    parts.append(text + "）")
    significant = [lab for lab in CAUSE_LABELS if report["cause"][lab].get("significant")]
    if significant:
        big = max(significant, key=lambda lab: abs(report["cause"][lab]["change_pp"]))
        e = report["cause"][big]
        parts.append(f"变化最大且统计显著的是 {big}（{e['change_pp']:+.1f} 个百分点，p={e['p_value']:.3f}）")
    elif report["previous_month"]:
        parts.append("各原因类别的环比变化均不显著（5% 水平）")
    if report["complaints"]:
        resp = report["responsibility"]
        parts.append(
            f"{report['complaints']} 个投诉的责任归属："
            + "、".join(f"{lab} {resp[lab]['share'] * 100:.1f}%" for lab in COMPLAINT_RESPONSIBILITY)
        )
    return "；".join(parts) + "。"


# -- files -----------------------------------------------------------------------


@dataclass
class ReportRun:
    """What a ``report`` run did."""

    output: Path
    report: dict[str, Any]
    summary: ReadSummary
    labelled_here: bool


def default_report_output(input_path: Path, month: str, fmt: str) -> Path:
    """``report_YYYY-MM.<ext>`` beside the input."""
    return input_path.with_name(f"report_{month}.{fmt}")


def load_labelled_conversations(
    input_path: str | Path,
    *,
    model_dir: str | Path | None = None,
    options: ReadOptions | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, ReadSummary, bool]:
    """Read an export; label it with the model unless it is a ``label`` output.

    Returns
    -------
    conversations : pandas.DataFrame
    summary : ReadSummary
    labelled_here : bool
        True when the model labelled the conversations now.
    """
    import pandas as pd

    reader = ChatReader(input_path, options)
    extras = reader.columns.extras
    has_labels = all(a in extras for a in (TYPE, CAUSE, RESPONSIBILITY))
    frames = []
    done = 0
    labelled: Iterator[tuple[pd.DataFrame, pd.DataFrame | None]]
    if has_labels:
        labelled = ((chunk, None) for chunk in reader.iter_conversations())
    else:
        from .labeling import Labeler, predict_chunks

        labeler = Labeler.from_dir(model_dir)  # fail fast on a bad model
        labelled = predict_chunks(reader.iter_conversations(), labeler, workers)
    for chunk, labels in labelled:
        if labels is not None:
            chunk = pd.concat([chunk.drop(columns=[c for c in labels.columns if c in chunk]), labels], axis=1)
        else:
            chunk = chunk.rename(
                columns={
                    "first_response": "first_response_s",
                    "avg_response": "avg_response_s",
                    "need_review": "需复核",
                    "cause_confidence": "原因类别置信度",
                }
            )
            if "需复核" in chunk:
                chunk["需复核"] = chunk["需复核"].astype("string").str.lower().isin(["true", "1", "是", "yes"])
            if "原因类别置信度" in chunk:
                chunk["原因类别置信度"] = pd.to_numeric(chunk["原因类别置信度"], errors="coerce")
        frames.append(chunk.drop(columns=["agent_text"], errors="ignore"))
        done += len(chunk)
        if progress:
            progress(done)
    data = pd.concat(frames, ignore_index=True)
    if has_labels:
        for axis, labels_ in ((TYPE, TYPE_LABELS), (CAUSE, CAUSE_LABELS), (RESPONSIBILITY, ("商家", "物流", "客户", "无"))):
            bad = ~data[axis].isin(labels_)
            if bad.any():
                row = data.loc[bad.idxmax()]
                raise InputFileError(
                    f"{Path(input_path).name} 第 {row['first_row']} 行: {axis} “{row[axis]}” 不在标签集中；"
                    "请用 csclass label 重新标注或修正该值"
                )
    return data, reader.summary, not has_labels


def report_file(
    input_path: str | Path,
    *,
    month: str | None = None,
    fmt: str = "md",
    output: str | Path | None = None,
    model_dir: str | Path | None = None,
    options: ReadOptions | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ReportRun:
    """Build the monthly diagnosis report of a chat export and write it.

    Parameters
    ----------
    input_path : str or Path
        Raw chat export or ``csclass label`` output.
    month : str, optional
        ``YYYY-MM``; default the latest month in the data.
    fmt : {"md", "html", "xlsx", "json"}
        Output format.
    output : str or Path, optional
        Output path; default ``report_YYYY-MM.<fmt>`` beside the input.
    model_dir : str or Path, optional
        Model used to label raw chats; its card supplies the confusion matrix.
    options : ReadOptions, optional
        Reading options.
    workers : int
        Processes that label raw chats in parallel.
    progress : callable, optional
        Called with the number of conversations read.

    Returns
    -------
    ReportRun
    """
    from .persist import read_card
    from .report_render import write_report
    from .writer import check_output_path

    if fmt not in FORMATS:
        raise ReportError(f"不支持的报告格式 “{fmt}”；可选 {'、'.join(FORMATS)}")
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ReportError(f"--month “{month}” 格式不对；应为 YYYY-MM，如 2026-10")
    source = Path(input_path)
    data, summary, labelled_here = load_labelled_conversations(source, model_dir=model_dir, options=options, progress=progress)
    confusion = None
    try:
        card = read_card(model_dir or default_model_dir())
        cv = (card.get("metrics") or {}).get("cross_validation") or {}
        confusion = (cv.get(CAUSE) or {}).get("confusion")
    except CsclassError:
        if labelled_here:
            raise
    report = build_report(data, month=month, confusion=confusion, summary=summary)
    target = Path(output) if output else default_report_output(source, report["month"], fmt)
    check_output_path(target, [source])
    write_report(report, target, fmt)
    return ReportRun(output=target, report=report, summary=summary, labelled_here=labelled_here)
