"""The ``csclass`` command line: parse options, call one library function, render.

Heavy libraries (pandas, scikit-learn, jieba) are imported inside the commands
so that ``csclass --help`` starts fast.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from .defaults import DEFAULTS, ReadOptions
from .errors import CsclassError

app = typer.Typer(
    name="csclass",
    help="把电商客服聊天记录标注为 问题类型/原因类别/责任方，并生成月报的“问题诊断与原因分析”。",
    no_args_is_help=True,
    epilog="示例：csclass label examples/chats.csv  |  csclass train  |  csclass evaluate gold.csv",
    add_completion=False,
    rich_markup_mode="rich",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def _friendly_errors(func: F) -> F:
    """Turn a CsclassError into one red line and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import signal

        # SIGTERM (kill, CI timeouts) unwinds like Ctrl-C, so temporary outputs are
        # removed; SIGINT too, even where a parent shell started us with it ignored.
        _interrupted.clear()
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        previous_int = signal.signal(signal.SIGINT, _raise_interrupt)
        try:
            return func(*args, **kwargs)
        except CsclassError as exc:
            err.print(f"[bold red]错误：[/bold red][red]{escape(str(exc))}[/red]", soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("[red]已中断，未写出任何输出文件[/red]")
            raise typer.Exit(130) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)

    return wrapper  # type: ignore[return-value]


_interrupted: set[int] = set()


def _raise_interrupt(signum: int, frame: Any) -> None:
    # Remembered too: native code can swallow the exception, and the progress
    # callback raises it again at the next chunk boundary.
    _interrupted.add(signum)
    raise KeyboardInterrupt


@contextmanager
def _progress(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr, silent when stderr is not a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}" if total else "{task.completed}"),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )
    with progress:
        task = progress.add_task(description, total=total)

        def update(*, completed: int, total: int | None = None, description: str | None = None) -> None:
            if _interrupted:
                raise KeyboardInterrupt
            kwargs: dict[str, Any] = {"completed": completed}
            if total is not None:
                kwargs["total"] = total
            if description is not None:
                kwargs["description"] = description
            progress.update(task, **kwargs)

        yield update


def _version(value: bool) -> None:
    if value:
        out.print(f"csclass {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出")] = False,
) -> None:
    """csclass: 电商客服聊天记录分类与根因诊断。"""


# -- shared options ------------------------------------------------------------
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="CSV 编码（默认自动识别：utf-8/gbk/gb18030）")]
IdColOpt = Annotated[str | None, typer.Option("--id-col", help="会话ID列名（默认按表头识别）")]
RoleColOpt = Annotated[str | None, typer.Option("--role-col", help="发送方列名")]
TextColOpt = Annotated[str | None, typer.Option("--text-col", help="内容列名")]
TimeColOpt = Annotated[str | None, typer.Option("--time-col", help="时间列名")]
RoleMapOpt = Annotated[
    list[str] | None,
    typer.Option("--role-map", help="额外的发送方取值，如 '机器人=agent'、'系统=skip'（可重复）"),
]
ModelOpt = Annotated[Path | None, typer.Option("--model", help="模型目录（默认 models/default）")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", help="标注时的并行进程数（默认：全部 CPU 核）", min=1)]


def _read_options(
    encoding: str | None,
    id_col: str | None,
    role_col: str | None,
    text_col: str | None,
    time_col: str | None,
    role_map: list[str] | None,
) -> ReadOptions:
    pairs = []
    for item in role_map or []:
        value, sep, role = item.partition("=")
        if not sep or role.strip() not in ("buyer", "agent", "skip"):
            raise CsclassError(f"--role-map “{item}” 格式不对；应为 取值=buyer、取值=agent 或 取值=skip")
        pairs.append((value.strip(), role.strip()))
    return ReadOptions(
        encoding=encoding,
        id_col=id_col,
        role_col=role_col,
        text_col=text_col,
        time_col=time_col,
        role_map=tuple(pairs),
    )


def _summary_lines(summary: Any) -> None:
    aside = sum(summary.set_aside.values())
    err.print(
        f"读取 {escape(summary.path)}：{summary.input_rows} 行 → {summary.conversations} 个会话"
        + (f"，搁置 {aside} 行" if aside else "")
        + f"（编码 {summary.encoding or 'xlsx'}，{'每行一条消息' if summary.shape == 'message' else '每行一个会话'}）"
    )
    for warning in summary.warnings():
        err.print(f"[yellow]注意：{escape(warning)}[/yellow]")


# -- train ---------------------------------------------------------------------
@app.command(epilog="示例：csclass train  |  csclass train --data my_labeled.csv --with-base --out models/mine")
@_friendly_errors
def train(
    data: Annotated[list[Path] | None, typer.Option("--data", help="带标签的训练文件或目录（默认 training_data/，可重复）")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="模型输出目录")] = Path("models/default"),
    with_base: Annotated[bool, typer.Option("--with-base", help="在自己的数据之外加入内置语料")] = False,
    folds: Annotated[int, typer.Option("--folds", help="交叉验证折数（0 = 跳过）")] = DEFAULTS.cv_folds,
    seed: Annotated[int, typer.Option("--seed", help="随机种子；相同数据和种子得到相同模型")] = DEFAULTS.random_state,
    encoding: EncodingOpt = None,
) -> None:
    """训练三轴分类模型，打印交叉验证的准确率和 macro-F1，并保存模型。"""
    from .persist import save_model
    from .training import train_model

    with _progress("训练") as update:
        result = train_model(
            data,
            with_base=with_base,
            folds=folds,
            random_state=seed,
            options=ReadOptions(encoding=encoding),
            progress=lambda stage, done, total: update(completed=done, total=total, description=stage),
        )
    save_model(result.model, result.card, out_dir)
    info = result.card["training_data"]
    err.print(f"训练数据：{info['conversations']} 个会话，来自 {len(info['files'])} 个文件")
    for name, n in result.skipped.items():
        err.print(f"[yellow]注意：{escape(name)} 中 {n} 个会话没有标签，未用于训练[/yellow]")
    if result.cv_scores:
        table = Table(title=f"{folds} 折交叉验证")
        table.add_column("维度")
        table.add_column("准确率", justify="right")
        table.add_column("macro-F1", justify="right")
        for axis in ("问题类型", "原因类别", "责任方"):
            s = result.cv_scores[axis]
            table.add_row(axis, f"{s['accuracy']:.3f}", f"{s['macro_f1']:.3f}")
        out.print(table)
    out.print(f"模型已保存到 {escape(str(out_dir))}")


# -- label ---------------------------------------------------------------------
@app.command(epilog="示例：csclass label examples/chats.csv -o labeled.xlsx")
@_friendly_errors
def label(
    input_path: Annotated[Path, typer.Argument(help="聊天记录 CSV 或 .xlsx", metavar="INPUT")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件 .csv/.xlsx/.parquet（默认 INPUT_labeled.csv）")] = None,
    model: ModelOpt = None,
    mask_pii: Annotated[bool, typer.Option("--mask-pii", help="遮盖输出文本中的手机号、订单号、地址等个人信息")] = False,
    workers: WorkersOpt = None,
    encoding: EncodingOpt = None,
    id_col: IdColOpt = None,
    role_col: RoleColOpt = None,
    text_col: TextColOpt = None,
    time_col: TimeColOpt = None,
    role_map: RoleMapOpt = None,
) -> None:
    """给每个会话标注 问题类型、原因类别、责任方，附置信度、依据和需复核标记。"""
    from .labeling import default_workers, label_file

    options = _read_options(encoding, id_col, role_col, text_col, time_col, role_map)
    with _progress("标注会话") as update:
        run = label_file(
            input_path,
            output,
            model_dir=model,
            options=options,
            workers=workers or default_workers(),
            mask_pii=mask_pii,
            progress=lambda done, rows: update(completed=done),
        )
    _summary_lines(run.summary)
    table = Table(title=f"标注结果（{run.conversations} 个会话）")
    table.add_column("维度")
    table.add_column("标签")
    table.add_column("会话数", justify="right")
    table.add_column("占比", justify="right")
    for axis, counts in run.counts.items():
        for i, (lab, n) in enumerate(counts.most_common()):
            table.add_row(axis if i == 0 else "", lab, str(n), f"{n / max(run.conversations, 1):.1%}")
    out.print(table)
    out.print(f"需复核：{run.review} 个（{run.review / max(run.conversations, 1):.1%}）")
    if run.truncated_cells:
        err.print(f"[yellow]注意：{run.truncated_cells} 个单元格超过 Excel 上限 32767 字，已截断；完整内容请输出为 .csv[/yellow]")
    out.print(f"已写出 {escape(str(run.output))}")


# -- report --------------------------------------------------------------------
@app.command(epilog="示例：csclass report examples/chats.csv --format html  |  csclass report labeled.csv --month 2026-09 --format xlsx")
@_friendly_errors
def report(
    input_path: Annotated[Path, typer.Argument(help="原始聊天记录，或 csclass label 的输出", metavar="INPUT")],
    month: Annotated[str | None, typer.Option("--month", help="统计月份 YYYY-MM（默认数据中最新的月份）")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md、html、xlsx 或 json")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件（默认输入旁的 report_YYYY-MM.<格式>）")] = None,
    model: ModelOpt = None,
    workers: WorkersOpt = None,
    encoding: EncodingOpt = None,
    id_col: IdColOpt = None,
    role_col: RoleColOpt = None,
    text_col: TextColOpt = None,
    time_col: TimeColOpt = None,
    role_map: RoleMapOpt = None,
) -> None:
    """生成月报的“问题诊断与原因分析”：类型划分、原因剖析、责任归属、服务指标、趋势、建议汇总和结论。"""
    from .labeling import default_workers
    from .report import report_file

    options = _read_options(encoding, id_col, role_col, text_col, time_col, role_map)
    with _progress("读取并统计会话") as update:
        run = report_file(
            input_path,
            month=month,
            fmt=fmt,
            output=output,
            model_dir=model,
            options=options,
            workers=workers or default_workers(),
            progress=lambda done: update(completed=done),
        )
    _summary_lines(run.summary)
    rep = run.report
    if rep["no_time"]:
        err.print(f"[yellow]注意：{rep['no_time']} 个会话没有可解析的时间，未计入月度统计[/yellow]")
    table = Table(title=f"{rep['month']} 原因类别" + (f"（对比 {rep['previous_month']}）" if rep["previous_month"] else ""))
    for col in ("原因类别", "会话数", "占比", "变化(百分点)", "显著"):
        table.add_column(col, justify="left" if col == "原因类别" else "right")
    for lab, e in rep["cause"].items():
        change = "—" if e["change_pp"] is None else f"{e['change_pp']:+.1f}"
        table.add_row(lab, str(e["count"]), f"{(e['share'] or 0):.1%}", change, "是" if e["significant"] else "")
    out.print(table)
    out.print(escape(rep["conclusion"]))
    out.print(f"已写出 {escape(str(run.output))}" + ("（已用模型标注）" if run.labelled_here else "（使用输入中的标签）"))


# -- evaluate --------------------------------------------------------------------
@app.command(epilog="示例：csclass evaluate my_gold.csv --json")
@_friendly_errors
def evaluate(
    gold: Annotated[Path, typer.Argument(help="带 问题类型/原因类别/责任方 标签列的文件", metavar="GOLD")],
    model: ModelOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出全部指标")] = False,
    encoding: EncodingOpt = None,
) -> None:
    """用带标签的文件评估模型：每个维度的准确率、macro-F1、各类别 P/R/F1 和混淆矩阵。"""
    from .evaluation import evaluate_file

    scores = evaluate_file(gold, model_dir=model, options=ReadOptions(encoding=encoding))
    if as_json:
        typer.echo(json.dumps(scores, ensure_ascii=False, indent=2))
        return
    render_scores(scores)


def render_scores(scores: dict[str, Any]) -> None:
    """Print evaluation scores as rich tables."""
    head = Table(title=f"评估结果（{scores['n']} 个会话）")
    head.add_column("维度")
    head.add_column("准确率", justify="right")
    head.add_column("macro-F1", justify="right")
    for axis in ("问题类型", "原因类别", "责任方"):
        head.add_row(axis, f"{scores[axis]['accuracy']:.3f}", f"{scores[axis]['macro_f1']:.3f}")
    out.print(head)
    out.print(f"原因类别占比平均绝对误差：{scores['cause_share_mae_pp']:.2f} 个百分点")
    for axis in ("问题类型", "原因类别", "责任方"):
        s = scores[axis]
        per = Table(title=f"{axis}：各类别")
        for col in ("标签", "精确率", "召回率", "F1", "样本数"):
            per.add_column(col, justify="right" if col != "标签" else "left")
        for lab, m in s["per_class"].items():
            per.add_row(lab, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
        out.print(per)
        cm = Table(title=f"{axis}：混淆矩阵（行 = 真实，列 = 预测）")
        cm.add_column("")
        for lab in s["labels"]:
            cm.add_column(lab, justify="right")
        for lab, row in zip(s["labels"], s["confusion"], strict=True):
            cm.add_row(lab, *(str(v) for v in row))
        out.print(cm)


if __name__ == "__main__":  # pragma: no cover
    app()
