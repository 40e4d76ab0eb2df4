from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csclass.errors import OutputError
from csclass.labeling import LABEL_COLUMNS, Labeler, label_file


def test_label_file_columns_and_row_accounting(message_csv: Path, trained_model_dir: Path) -> None:
    run = label_file(message_csv, model_dir=trained_model_dir)
    assert run.output == message_csv.with_name("chats_labeled.csv")
    frame = pd.read_csv(run.output, encoding="utf-8-sig", dtype=str)
    assert list(frame.columns) == ["会话ID", "时间", "买家内容", "首次响应秒", "平均响应秒", *LABEL_COLUMNS]
    assert frame["会话ID"].tolist() == ["c1", "c2"]
    assert frame.loc[0, "买家内容"] == "在吗，我的快递三天没动了\n订单号 4587213369025"
    assert run.summary.input_rows == 5 and run.conversations == 2
    assert sum(run.counts["原因类别"].values()) == 2
    assert run.output.read_bytes()[:3] == b"\xef\xbb\xbf"


def test_empty_buyer_text_is_other_and_flagged(trained_model_dir: Path) -> None:
    labeler = Labeler.from_dir(trained_model_dir)
    convs = pd.DataFrame({"buyer_text": ["", "快递到哪了"], "agent_text": ["您好", ""]})
    out = labeler.predict(convs)
    assert out.loc[0, ["问题类型", "原因类别", "责任方"]].tolist() == ["咨询", "其他", "无"]
    assert out.loc[0, "原因类别置信度"] == 0.0
    assert bool(out.loc[0, "需复核"]) is True


def test_review_flag_follows_threshold(trained_model_dir: Path) -> None:
    convs = pd.DataFrame({"buyer_text": ["快递三天了还没到，怎么回事"], "agent_text": [""]})
    low = Labeler.from_dir(trained_model_dir, review_threshold=0.0).predict(convs)
    high = Labeler.from_dir(trained_model_dir, review_threshold=1.01).predict(convs)
    assert not low.loc[0, "需复核"] and high.loc[0, "需复核"]


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_other_output_formats_round_trip(message_csv: Path, trained_model_dir: Path, suffix: str) -> None:
    out = message_csv.with_name(f"out{suffix}")
    label_file(message_csv, out, model_dir=trained_model_dir)
    frame = pd.read_excel(out) if suffix == ".xlsx" else pd.read_parquet(out)
    assert frame["会话ID"].tolist() == ["c1", "c2"]
    assert frame["需复核"].dtype == bool
    assert frame["原因类别置信度"].dtype == float


def test_output_equal_to_input_is_refused(message_csv: Path, trained_model_dir: Path) -> None:
    before = message_csv.read_bytes()
    with pytest.raises(OutputError, match="输出路径与输入文件相同"):
        label_file(message_csv, message_csv, model_dir=trained_model_dir)
    assert message_csv.read_bytes() == before


def test_mask_pii_in_output(write_csv, trained_model_dir: Path) -> None:
    path = write_csv([["会话ID", "发送方", "内容"], ["a", "买家", "改地址，电话13812345678"]])
    run = label_file(path, model_dir=trained_model_dir, mask_pii=True)
    frame = pd.read_csv(run.output, encoding="utf-8-sig")
    assert frame.loc[0, "买家内容"] == "改地址，电话[手机号]"


def test_parallel_and_chunked_output_equals_single_pass(write_csv, trained_model_dir: Path, monkeypatch) -> None:
    import csclass.labeling as labeling_module
    import csclass.reader as reader_module

    rows = [["会话ID", "发送方", "内容", "时间"]]
    texts = ["快递三天没动了", "有优惠券吗", "衣服起球了", "发票怎么开", "退款还没到", "客服不回复"]
    for i in range(60):
        for j in range(1 + i % 4):
            rows.append([f"c{i:03d}", "买家" if j % 2 == 0 else "客服", texts[(i + j) % 6], f"2026-10-01 10:{i % 60:02d}:{j:02d}"])
    path = write_csv(rows)
    single = label_file(path, path.with_name("single.csv"), model_dir=trained_model_dir, workers=1)
    # Small raw chunks split conversations across chunk boundaries; small tasks spread them over workers.
    monkeypatch.setattr(reader_module, "RAW_CHUNK_ROWS", 7)
    monkeypatch.setattr(labeling_module, "TASK_CONVERSATIONS", 5)
    parallel = label_file(path, path.with_name("parallel.csv"), model_dir=trained_model_dir, workers=2)
    assert single.output.read_bytes() == parallel.output.read_bytes()
    frame = pd.read_csv(parallel.output, encoding="utf-8-sig")
    assert frame["会话ID"].tolist() == [f"c{i:03d}" for i in range(60)]
    # A big input starts the workers before reading; the output must not change.
    monkeypatch.setattr(labeling_module, "START_WORKERS_EARLY_BYTES", 0)
    early = label_file(path, path.with_name("early.csv"), model_dir=trained_model_dir, workers=2)
    assert single.output.read_bytes() == early.output.read_bytes()
