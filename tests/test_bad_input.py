"""Hostile input files, each with its exact expected outcome.

Every case runs the real CLI (``csclass label``) on a file built here and checks
either a one-line error (substring, exit code 1, no traceback) or success with a
counted, visible warning and one output row per conversation.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from csclass.cli import app

runner = CliRunner()
HEADER = "会话ID,发送方,内容,时间\n"


def _write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _xlsx_truncated(path: Path) -> Path:
    pd.DataFrame({"会话ID": ["a"], "内容": ["x"]}).to_excel(path, index=False)
    path.write_bytes(path.read_bytes()[:300])
    return path


def _csv_rows(rows: list[list[str]]) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


ERROR_CASES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("empty file", lambda d: _write(d / "in.csv", b""), "文件是空的"),
    ("header only", lambda d: _write(d / "in.csv", HEADER), "只有表头，没有数据行"),
    ("binary renamed .csv", lambda d: _write(d / "in.csv", bytes(range(256)) * 50), "不是文本表格（看起来是二进制文件）"),
    ("truncated xlsx", lambda d: _xlsx_truncated(d / "in.xlsx"), "不是有效的 .xlsx 文件"),
    ("old xls", lambda d: _write(d / "in.xls", b"\xd0\xcf\x11\xe0"), "不支持旧版 .xls；请在 Excel 中另存为 .xlsx 或 CSV"),
    ("a directory", lambda d: d, "这是一个目录，不是文件"),
    ("missing path", lambda d: d / "nope.csv", "文件不存在；请检查路径"),
    (
        "unknown role value",
        lambda d: _write(d / "in.csv", HEADER + "a,买家,x,\na,机器人,y,\n"),
        "第 3 行: 发送方 “机器人” 既不是买家也不是客服；请用 --role-map '机器人=buyer'",
    ),
    ("no text column", lambda d: _write(d / "in.csv", "编号,备注\n1,x\n"), "找不到聊天内容列；文件中的列为：编号、备注。请用 --text-col"),
]


@pytest.mark.parametrize(("name", "make", "message"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_cases(tmp_path: Path, trained_model_dir: Path, name: str, make, message: str) -> None:
    path = make(tmp_path)
    result = runner.invoke(app, ["label", str(path), "--model", str(trained_model_dir), "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_no_read_permission(tmp_path: Path, monkeypatch, trained_model_dir: Path) -> None:
    path = _write(tmp_path / "in.csv", HEADER + "a,买家,x,\n")
    real_open = Path.open

    def deny(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)  # root ignores chmod, so simulate the refusal
    result = runner.invoke(app, ["label", str(path), "--model", str(trained_model_dir)])
    assert result.exit_code == 1 and "没有读取权限" in result.output


def _label_ok(path: Path, model: Path, *extra: str) -> tuple[str, pd.DataFrame]:
    out = path.with_name("out.csv")
    result = runner.invoke(app, ["label", str(path), "-o", str(out), "--model", str(model), "--workers", "1", *extra])
    assert result.exit_code == 0, result.output
    return result.output, pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)


DEGRADED_CASES: list[tuple[str, bytes | str, list[str], list[str]]] = [
    ("CRLF line ends", HEADER.replace("\n", "\r\n") + "a,买家,快递没到,\r\nb,买家,质量差,\r\n", ["a", "b"], []),
    ("CR line ends", HEADER.replace("\n", "\r") + "a,买家,快递没到,\rb,买家,质量差,\r", ["a", "b"], []),
    ("NUL byte", HEADER + "a,买家,快递\x00没到,\nb,买家,质量差,\n", ["a", "b"], ["1 行含控制字符，已删除这些字符"]),
    (
        "unbalanced quote",
        HEADER + 'a,买家,"快递没到,\nb,买家,质量差,\n',
        ["a", "b"],
        ["文件中有未闭合的双引号，已把引号当作普通字符读取；1 行内容含引号"],
    ),
    (
        "ragged rows",
        HEADER + "a,买家,快递,没到,啊,2026-10-01\nb,买家\nc,买家,质量差,\n",
        ["a", "b", "c"],
        ["1 行字段数与表头不符，多余字段已并入内容列", "1 行内容为空"],
    ),
    (
        "UTF-8 with a GBK line",
        HEADER.encode() + "a,买家,快递没到,\n".encode() + "b,买家,质量太差了,\n".encode("gbk") + "c,买家,好的,\n".encode(),
        ["a", "b", "c"],
        ["UTF-8 文件中有 1 行是 GBK 编码，已按 GB18030 解码"],
    ),
    ("unparseable times", HEADER + "a,买家,快递没到,昨天下午\nb,买家,质量差,2026-10-01 10:00:00\n", ["a", "b"], ["1 行时间无法解析"]),
    (
        "same id in non-adjacent rows",
        HEADER + "a,买家,快递没到,\nb,买家,质量差,\na,买家,还没到,\n",
        ["a", "b"],
        ["1 个会话ID出现在不相邻的行中，已合并为一个会话"],
    ),
    ("missing text", HEADER + "a,买家,,\nb,买家,质量差,\n", ["a", "b"], ["1 行内容为空"]),
    # Found by hypothesis: a small file of control characters is text, not binary.
    ("cells of control characters", "会话ID,发送方,内容\na,买家,\x1f\na,买家,\x1f\x1f\n", ["a"], ["2 行含控制字符，已删除这些字符"]),
]


@pytest.mark.parametrize(("name", "data", "ids", "warnings"), DEGRADED_CASES, ids=[c[0] for c in DEGRADED_CASES])
def test_degraded_cases(tmp_path: Path, trained_model_dir: Path, name: str, data, ids: list[str], warnings: list[str]) -> None:
    output, frame = _label_ok(_write(tmp_path / "in.csv", data), trained_model_dir)
    assert frame["会话ID"].tolist() == ids
    for warning in warnings:
        assert warning in output
    assert "Traceback" not in output


def test_gbk_line_recovered_whole(tmp_path: Path, trained_model_dir: Path) -> None:
    data = HEADER.encode() + "a,买家,快递没到,\n".encode() + "b,买家,质量太差了,\n".encode("gbk")
    _, frame = _label_ok(_write(tmp_path / "in.csv", data), trained_model_dir)
    assert frame.loc[1, "买家内容"] == "质量太差了"


def test_missing_text_conversation_is_other_and_flagged(tmp_path: Path, trained_model_dir: Path) -> None:
    _, frame = _label_ok(_write(tmp_path / "in.csv", HEADER + "a,买家,,\na,客服,您好,\n"), trained_model_dir)
    assert frame.loc[0, ["问题类型", "原因类别", "责任方", "需复核"]].tolist() == ["咨询", "其他", "无", "True"]


def test_huge_cell_long_conversation_many_messages(tmp_path: Path, trained_model_dir: Path) -> None:
    rows = [["会话ID", "发送方", "内容"], ["big", "买家", "质" * 1_000_000]]
    rows += [["long", "买家", "快递" * 50] for _ in range(1000)]  # 100,000 characters
    rows += [["many", "买家" if i % 2 else "客服", f"消息{i}"] for i in range(10_000)]
    output, frame = _label_ok(_write(tmp_path / "in.csv", _csv_rows(rows)), trained_model_dir)
    assert frame["会话ID"].tolist() == ["big", "long", "many"]
    # Nothing is cut in the output; only features use the first 4000 characters.
    assert len(frame.loc[0, "买家内容"]) == 1_000_000
    assert len(frame.loc[1, "买家内容"].replace("\n", "")) == 100_000
    assert "11001 行 → 3 个会话" in output


def test_huge_cell_in_xlsx_output_is_cut_and_counted(tmp_path: Path, trained_model_dir: Path) -> None:
    path = _write(tmp_path / "in.csv", _csv_rows([["会话ID", "内容"], ["a", "质" * 40_000]]))
    result = runner.invoke(app, ["label", str(path), "-o", str(tmp_path / "o.xlsx"), "--model", str(trained_model_dir)])
    assert result.exit_code == 0 and "1 个单元格超过 Excel 上限 32767 字，已截断" in result.output


def test_output_same_as_input_refused_and_input_untouched(tmp_path: Path, trained_model_dir: Path) -> None:
    path = _write(tmp_path / "in.csv", HEADER + "a,买家,x,\n")
    before = path.read_bytes()
    result = runner.invoke(app, ["label", str(path), "-o", str(path), "--model", str(trained_model_dir)])
    assert result.exit_code == 1 and "输出路径与输入文件相同" in result.output
    assert path.read_bytes() == before


def test_full_disk(tmp_path: Path, trained_model_dir: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    path = _write(tmp_path / "in.csv", HEADER + "a,买家,x,\n")
    result = runner.invoke(app, ["label", str(path), "-o", "/dev/full", "--model", str(trained_model_dir)])
    assert result.exit_code == 1 and "磁盘空间不足" in result.output
    assert Path("/dev/full").is_char_device()


def test_missing_output_directory(tmp_path: Path, trained_model_dir: Path) -> None:
    path = _write(tmp_path / "in.csv", HEADER + "a,买家,x,\n")
    result = runner.invoke(app, ["label", str(path), "-o", str(tmp_path / "no" / "o.csv"), "--model", str(trained_model_dir)])
    assert result.exit_code == 1 and "输出目录" in result.output and "不存在" in result.output


def test_unwritable_output_directory(tmp_path: Path, trained_model_dir: Path, monkeypatch) -> None:
    path = _write(tmp_path / "in.csv", HEADER + "a,买家,x,\n")
    target = tmp_path / "ro"
    target.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == target else real_access(p, mode))
    result = runner.invoke(app, ["label", str(path), "-o", str(target / "o.csv"), "--model", str(trained_model_dir)])
    assert result.exit_code == 1 and "不可写" in result.output


@pytest.mark.parametrize(("sig", "workers"), [(signal.SIGINT, "1"), (signal.SIGTERM, "2")])
def test_interrupted_run_leaves_nothing(tmp_path: Path, trained_model_dir: Path, sig: int, workers: str) -> None:
    rows = [["会话ID", "发送方", "内容"]] + [[f"c{i}", "买家", f"快递第{i}天还没到，什么情况"] for i in range(60_000)]
    path = _write(tmp_path / "in.csv", _csv_rows(rows))
    out = tmp_path / "out.csv"
    cmd = [sys.executable, "-m", "csclass.cli", "label", str(path), "-o", str(out), "--model", str(trained_model_dir), "--workers", workers]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.csv.*.tmp")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "label finished before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    assert "已中断，未写出任何输出文件" in err.decode("utf-8")


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["买家", "客服"]), TEXT), min_size=1, max_size=8))
def test_any_unicode_text_labels_one_row_per_conversation(tmp_path_factory, trained_model_dir: Path, cells) -> None:
    directory = tmp_path_factory.mktemp("h")
    rows = [["会话ID", "发送方", "内容"], *[list(c) for c in cells]]
    path = _write(directory / "in.csv", _csv_rows(rows))
    out = directory / "out.csv"
    result = runner.invoke(app, ["label", str(path), "-o", str(out), "--model", str(trained_model_dir), "--workers", "1"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert frame["会话ID"].tolist() == list(dict.fromkeys(c[0] for c in cells))
