from __future__ import annotations

import json
from pathlib import Path

import pytest

from csclass.report import ReportError, report_file
from csclass.report_render import md_cell, render_html

HEADER = ["会话ID", "发送方", "内容", "时间", "买家ID", "满意度", "是否解决", "问题类型", "原因类别", "责任方"]


def _conv(cid, day, buyer, text, delay, labels, sat="", resolved=""):
    t, c, r = labels
    return [
        [cid, "买家", text, f"{day} 10:00:00", buyer, sat, resolved, t, c, r],
        [cid, "客服", "您好，已收到", f"{day} 10:{delay // 60:02d}:{delay % 60:02d}", buyer, sat, resolved, t, c, r],
    ]


@pytest.fixture
def labelled_csv(write_csv) -> Path:
    rows = [HEADER]
    rows += _conv("a1", "2026-09-05", "u1", "快递一直没动", 10, ("投诉", "物流", "物流"), "2", "否")
    rows += _conv("a2", "2026-09-20", "u2", "有优惠券吗", 20, ("咨询", "价格促销", "无"), "5", "是")
    rows += _conv("b1", "2026-10-01", "u1", "快递又卡住了", 30, ("投诉", "物流", "物流"), "1", "否")
    rows += _conv("b2", "2026-10-03", "u1", "少发了一件", 60, ("投诉", "物流", "商家"), "2", "是")
    rows += _conv("b3", "2026-10-05", "u3", "改地址 电话13812345678 订单4587213369025", 90, ("咨询", "物流", "无"), "4", "是")
    rows += _conv("b4", "2026-10-20", "u2", "建议出个大码 | 谢谢", 120, ("建议", "商品质量", "无"), "5", "")
    return write_csv(rows, name="labelled.csv")


def test_report_figures_hand_computed(labelled_csv: Path, trained_model_dir: Path) -> None:
    run = report_file(labelled_csv, fmt="json", model_dir=trained_model_dir)
    assert run.output == labelled_csv.with_name("report_2026-10.json")
    assert not run.labelled_here
    rep = json.loads(run.output.read_text(encoding="utf-8"))
    assert (rep["month"], rep["previous_month"]) == ("2026-10", "2026-09")
    assert (rep["conversations"], rep["previous_conversations"]) == (4, 2)
    assert rep["type"]["投诉"] == {
        "count": 2,
        "share": 0.5,
        "previous_count": 1,
        "previous_share": 0.5,
        "change_pp": 0.0,
        "p_value": 1.0,
        "significant": False,
    }
    assert rep["type"]["咨询"]["change_pp"] == -25.0
    assert rep["type"]["建议"]["share"] == 0.25
    assert rep["cause"]["物流"]["count"] == 3 and rep["cause"]["物流"]["share"] == 0.75
    assert rep["cause"]["物流"]["change_pp"] == 25.0
    assert rep["cause"]["价格促销"]["previous_share"] == 0.5
    assert set(rep["responsibility"]) == {"商家", "物流", "客户"}
    assert rep["responsibility"]["物流"]["share"] == 0.5 and rep["responsibility"]["物流"]["change_pp"] == -50.0
    overall = rep["kpis"]["overall"]
    assert overall["first_response_mean_s"] == 75.0
    assert overall["first_response_p95_s"] == 115.5  # linear interpolation: 90 + 0.85 × 30
    assert overall["first_response_p99_s"] == 119.1
    assert overall["repeat_rate"] == 0.25  # b2: u1 again on 物流 two days after b1
    assert overall["complaint_rate"] == 0.5
    assert overall["satisfaction_mean"] == 3.0
    assert overall["resolution_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert rep["kpis"]["by_cause"]["物流"]["complaint_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert rep["kpis"]["missing"] == {"per_agent": "客服ID 列"}
    quotes = " ".join(rep["cause"]["物流"]["examples"])
    assert "[手机号]" in quotes and "[订单号]" in quotes
    assert "13812345678" not in quotes and "4587213369025" not in quotes
    assert rep["cause"]["物流"]["adjusted_share"] is not None and len(rep["cause"]["物流"]["ci95"]) == 2
    assert rep["trend"]["months"] == ["2026-09", "2026-10"]
    assert rep["trend"]["count"]["物流"] == [1, 3]
    assert rep["suggestions"]["count"] == 1
    assert "2026-10 共 4 个会话" in rep["conclusion"]


@pytest.mark.parametrize("fmt", ["md", "html", "xlsx"])
def test_other_formats_written(labelled_csv: Path, trained_model_dir: Path, fmt: str) -> None:
    run = report_file(labelled_csv, fmt=fmt, month="2026-10", model_dir=trained_model_dir)
    assert run.output.name == f"report_2026-10.{fmt}"
    if fmt == "md":
        text = run.output.read_text(encoding="utf-8")
        assert "## 三、具体原因剖析" in text and "建议出个大码 \\| 谢谢" in text
    elif fmt == "html":
        text = run.output.read_text(encoding="utf-8")
        assert "<svg" in text and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    else:
        import openpyxl

        book = openpyxl.load_workbook(run.output)
        assert {"概览", "问题类型", "原因类别", "责任归属", "服务指标", "趋势"} <= set(book.sheetnames)
        assert book["原因类别"]["B2"].value == 3  # numbers stay numbers


def test_previous_month_report(labelled_csv: Path, trained_model_dir: Path) -> None:
    rep = report_file(labelled_csv, fmt="json", month="2026-09", model_dir=trained_model_dir).report
    assert rep["previous_month"] is None and rep["type"]["投诉"]["change_pp"] is None


def test_month_errors(labelled_csv: Path) -> None:
    with pytest.raises(ReportError, match="数据中没有 2025-01 的会话；可选的月份：2026-09、2026-10"):
        report_file(labelled_csv, month="2025-01")
    with pytest.raises(ReportError, match="格式不对；应为 YYYY-MM"):
        report_file(labelled_csv, month="10/2026")


def test_raw_chats_are_labelled_on_the_fly(message_csv: Path, trained_model_dir: Path) -> None:
    run = report_file(message_csv, fmt="json", model_dir=trained_model_dir)
    assert run.labelled_here and run.report["conversations"] == 2
    assert run.report["kpis"]["missing"]["satisfaction"] == "满意度 或 评分 列（1–5）"


def test_conversations_without_time_are_counted(write_csv, trained_model_dir: Path) -> None:
    path = write_csv(
        [["会话ID", "内容", "时间"], ["1", "快递太慢", "2026-10-01 10:00:00"], ["2", "质量差", ""], ["3", "发票怎么开", "不是时间"]]
    )
    rep = report_file(path, fmt="json", model_dir=trained_model_dir).report
    assert rep["conversations"] == 1 and rep["no_time"] == 2


def test_hostile_text_is_inert() -> None:
    assert md_cell("a|b\nc<script>") == "a\\|b c&lt;script&gt;"
    import pandas as pd

    from csclass.report import build_report

    data = pd.DataFrame(
        {
            "conv_id": ["1"],
            "start_time": [pd.Timestamp("2026-10-01")],
            "buyer_text": ['<script>alert(1)</script><img src=x onerror="alert(2)">'],
            "问题类型": ["投诉"],
            "原因类别": ["物流"],
            "责任方": ["物流"],
            "原因类别置信度": [0.9],
        }
    )
    page = render_html(build_report(data))
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
