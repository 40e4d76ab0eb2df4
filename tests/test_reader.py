from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csclass.defaults import ReadOptions
from csclass.errors import ColumnError, EncodingDetectionError, InputFileError, RoleValueError
from csclass.reader import ChatReader, _contiguous, _is_utf8, detect_encoding, read_conversations

from .conftest import MESSAGE_ROWS


def test_message_level_groups_buyer_and_agent_text(message_csv: Path) -> None:
    frame, summary = read_conversations(message_csv)
    assert frame["conv_id"].tolist() == ["c1", "c2"]
    assert frame.loc[0, "buyer_text"] == "在吗，我的快递三天没动了\n订单号 4587213369025"
    assert frame.loc[0, "agent_text"] == "亲，请稍等，正在为您查询"
    assert frame["n_messages"].tolist() == [3, 2]
    assert frame.loc[0, "first_response_s"] == 30.0
    assert frame.loc[1, "first_response_s"] == 120.0
    assert frame.loc[0, "start_time"] == pd.Timestamp("2026-10-01 10:00:00")
    assert (summary.input_rows, summary.conversations, summary.shape) == (5, 2, "message")


def test_messages_sorted_by_time_within_conversation(write_csv) -> None:
    path = write_csv(
        [
            ["session_id", "sender", "content", "timestamp"],
            ["a", "buyer", "second", "2026-10-01 10:05:00"],
            ["a", "agent", "reply", "2026-10-01 10:06:00"],
            ["a", "buyer", "first", "2026-10-01 10:00:00"],
        ]
    )
    frame, _ = read_conversations(path)
    assert frame.loc[0, "buyer_text"] == "first\nsecond"
    # The reply answers the run of buyer messages that began at 10:00.
    assert frame.loc[0, "first_response_s"] == 360.0


def test_file_order_kept_when_a_time_is_missing(write_csv) -> None:
    path = write_csv([["id", "role", "text", "time"], ["a", "0", "second", "2026-10-01 10:05:00"], ["a", "0", "first", ""]])
    frame, summary = read_conversations(path)
    assert frame.loc[0, "buyer_text"] == "second\nfirst"
    assert summary.bad_time_rows == 0


def test_conversation_level_without_id_numbers_rows(write_csv) -> None:
    path = write_csv([["评论内容"], ["物流太慢了"], ["质量很好"]])
    frame, summary = read_conversations(path)
    assert frame["conv_id"].tolist() == ["2", "3"]
    assert frame["buyer_text"].tolist() == ["物流太慢了", "质量很好"]
    assert frame["agent_text"].tolist() == ["", ""]
    assert summary.shape == "conversation"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_are_detected(write_csv, encoding: str) -> None:
    path = write_csv(MESSAGE_ROWS, encoding=encoding)
    frame, summary = read_conversations(path)
    assert frame.loc[1, "buyer_text"] == "这件衣服有XL码吗"
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030"}[encoding]
    assert summary.encoding == expected


def test_encoding_override(write_csv) -> None:
    path = write_csv(MESSAGE_ROWS, encoding="gbk")
    frame, summary = read_conversations(path, ReadOptions(encoding="gbk"))
    assert summary.encoding == "gbk"
    assert frame.loc[0, "agent_text"] == "亲，请稍等，正在为您查询"


def test_unknown_encoding_name_is_an_error(message_csv: Path) -> None:
    with pytest.raises(EncodingDetectionError, match="不认识的编码 “latin-99”"):
        ChatReader(message_csv, ReadOptions(encoding="latin-99"))


def test_xlsx_is_read(tmp_path: Path) -> None:
    path = tmp_path / "chats.xlsx"
    pd.DataFrame(MESSAGE_ROWS[1:], columns=MESSAGE_ROWS[0]).to_excel(path, index=False)
    frame, summary = read_conversations(path)
    assert frame["conv_id"].tolist() == ["c1", "c2"]
    assert summary.encoding is None
    assert frame.loc[0, "first_response_s"] == 30.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["会话编号", "角色", "消息内容", "发送时间"], ("会话编号", "角色", "消息内容", "发送时间")),
        (["对话ID", "发送者", "聊天内容", "时间"], ("对话ID", "发送者", "聊天内容", "时间")),
        (["conversation_id", "speaker", "message", "time"], ("conversation_id", "speaker", "message", "time")),
        (["Session ID", "Role", "Text", "Timestamp"], ("Session ID", "Role", "Text", "Timestamp")),
    ],
)
def test_header_aliases(write_csv, header: list[str], expected: tuple[str, ...]) -> None:
    path = write_csv([header, *MESSAGE_ROWS[1:]])
    cols = ChatReader(path).columns
    assert (cols.id, cols.role, cols.text, cols.time) == expected


def test_column_overrides(write_csv) -> None:
    path = write_csv([["编号", "谁", "话", "when"], ["x", "买家", "还没发货", "2026-10-01 10:00:00"]])
    options = ReadOptions(id_col="编号", role_col="谁", text_col="话", time_col="when")
    frame, _ = read_conversations(path, options)
    assert frame.loc[0, "buyer_text"] == "还没发货"
    assert frame.loc[0, "start_time"] == pd.Timestamp("2026-10-01 10:00:00")


def test_override_naming_a_missing_column(message_csv: Path) -> None:
    with pytest.raises(ColumnError, match="没有名为 “正文” 的列（--text-col）；文件中的列为：会话ID、发送方、内容、时间"):
        ChatReader(message_csv, ReadOptions(text_col="正文"))


def test_missing_text_column_lists_columns_and_flag(write_csv) -> None:
    path = write_csv([["会话ID", "发送方", "备注"], ["a", "买家", "x"]])
    with pytest.raises(ColumnError, match="找不到聊天内容列；文件中的列为：会话ID、发送方、备注。请用 --text-col"):
        ChatReader(path)


def test_role_without_id_column(write_csv) -> None:
    path = write_csv([["发送方", "内容"], ["买家", "x"]])
    with pytest.raises(ColumnError, match="找不到会话ID列.*--id-col"):
        ChatReader(path)


def test_unknown_role_names_value_row_and_flag(write_csv) -> None:
    path = write_csv([["会话ID", "发送方", "内容"], ["a", "买家", "x"], ["a", "机器人", "y"]])
    with pytest.raises(RoleValueError, match="chats.csv 第 3 行: 发送方 “机器人” 既不是买家也不是客服；请用 --role-map '机器人=buyer'"):
        read_conversations(path)


def test_role_map_maps_and_skips(write_csv) -> None:
    path = write_csv([["会话ID", "发送方", "内容"], ["a", "买家", "x"], ["a", "机器人", "y"], ["a", "系统", "z"]])
    frame, summary = read_conversations(path, ReadOptions(role_map=(("机器人", "agent"), ("系统", "skip"))))
    assert frame.loc[0, "agent_text"] == "y"
    assert summary.set_aside == {"发送方被 --role-map 指定为 skip": 1}
    assert summary.input_rows == 3


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty.csv: 文件是空的"):
        ChatReader(path)


def test_binary_file_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(InputFileError, match="photo.csv: 不是文本表格"):
        ChatReader(path)


def test_undecodable_text_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    # Valid in no candidate encoding with low chaos: bytes that break UTF-8 and GB18030.
    path.write_bytes(b"id,text\n" + bytes([0x81, 0x20, 0xFF, 0x80, 0xFE, 0x7F, 0xC0, 0xC1]) * 200)
    with pytest.raises(EncodingDetectionError, match="odd.csv: 无法识别文件编码；请用 --encoding 指定"):
        detect_encoding(path)


def test_whole_file_utf8_check_reads_block_by_block(tmp_path: Path) -> None:
    path = tmp_path / "chats.csv"
    text = "会话ID,内容\n" + "1,收到的杯子是碎的\n" * 50
    path.write_bytes(text.encode("utf-8"))
    # 7-byte blocks cut three-byte characters in half: still valid UTF-8.
    assert _is_utf8(path, block=7)
    path.write_bytes(text.encode("utf-8") + "2,退款没到\n".encode("gbk"))
    assert not _is_utf8(path, block=7)
    path.write_bytes(text.encode("utf-8")[:-2])  # a character cut at the end of the file
    assert not _is_utf8(path, block=7)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=40) | st.text(max_size=20).map(str.encode), block=st.integers(1, 9))
def test_whole_file_utf8_check_agrees_with_python(tmp_path_factory, data: bytes, block: int) -> None:
    path = tmp_path_factory.mktemp("utf8") / "chats.csv"
    path.write_bytes(data)
    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    assert _is_utf8(path, block=block) == valid


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(st.sampled_from(["a", "b", "c", " a", "d "]), max_size=12), cuts=st.lists(st.integers(0, 12), max_size=3))
def test_id_scan_agrees_with_a_plain_definition(ids, cuts) -> None:
    # Contiguous: no id (after stripping) comes back once another id came between; chunk borders change nothing.
    stripped = [i.strip() for i in ids]
    runs = [v for j, v in enumerate(stripped) if j == 0 or v != stripped[j - 1]]
    bounds = sorted({0, len(ids), *(c for c in cuts if c <= len(ids))})
    chunks = iter([pd.DataFrame({"k": pd.Series(ids[a:b], dtype="str")}) for a, b in itertools.pairwise(bounds)])
    assert _contiguous(chunks, "k") == (len(runs) == len(set(runs)), len(ids))


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="文件不存在"):
        ChatReader(tmp_path / "nope.csv")
    with pytest.raises(InputFileError, match="这是一个目录"):
        ChatReader(tmp_path)


def test_header_only_is_an_error(write_csv) -> None:
    path = write_csv([MESSAGE_ROWS[0]])
    reader = ChatReader(path)
    with pytest.raises(InputFileError, match="只有表头，没有数据行"):
        reader.read()


def test_extras_and_labels_taken_per_conversation(write_csv) -> None:
    path = write_csv(
        [
            ["会话ID", "发送方", "内容", "满意度", "买家ID", "问题类型", "原因类别", "责任方"],
            ["a", "买家", "还没到", "", "u1", "投诉", "物流", "物流"],
            ["a", "客服", "抱歉", "2", "u1", "投诉", "物流", "物流"],
        ]
    )
    frame, _ = read_conversations(path)
    row = frame.iloc[0]
    assert (row["satisfaction"], row["buyer_id"], row["问题类型"], row["原因类别"], row["责任方"]) == ("2", "u1", "投诉", "物流", "物流")


def test_scattered_conversation_rows_are_merged_and_counted(write_csv) -> None:
    path = write_csv([["会话ID", "发送方", "内容"], ["a", "买家", "1"], ["b", "买家", "2"], ["a", "买家", "3"]])
    frame, summary = read_conversations(path)
    assert frame["conv_id"].tolist() == ["a", "b"]
    assert frame.loc[0, "buyer_text"] == "1\n3"
    assert summary.merged_ids == 1


def test_streaming_keeps_conversations_whole_across_chunks(write_csv, monkeypatch) -> None:
    import csclass.reader as reader_module

    rows = [["会话ID", "发送方", "内容"]]
    for conv in range(7):
        rows += [[f"c{conv}", "买家", f"m{conv}-{i}"] for i in range(3)]
    path = write_csv(rows)
    monkeypatch.setattr(reader_module, "RAW_CHUNK_ROWS", 4)
    chunks = list(ChatReader(path).iter_conversations())
    assert len(chunks) > 1
    whole = pd.concat(chunks, ignore_index=True)
    assert whole["conv_id"].tolist() == [f"c{i}" for i in range(7)]
    assert whole["buyer_text"].tolist() == ["\n".join(f"m{c}-{i}" for i in range(3)) for c in range(7)]


_CELL = st.text(alphabet=st.sampled_from(list('ab 中文,"\n\r\t=+-@;，。亲😂')), max_size=12)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["c1", "c2", "c3"]), st.sampled_from(["买家", "客服"]), _CELL), min_size=1, max_size=8))
def test_arrow_and_pandas_parsers_read_the_same_table(tmp_path_factory, rows) -> None:
    path = tmp_path_factory.mktemp("csv") / "chats.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["会话ID", "发送方", "内容"])
        writer.writerows(rows)
    reader = ChatReader(path)
    reader._scan()
    assert reader._arrow  # a clean UTF-8 file takes the fast path
    fast = pd.concat(list(reader._raw_chunks()), ignore_index=True)
    reader._arrow = False
    slow = pd.concat(list(reader._raw_chunks()), ignore_index=True)
    pd.testing.assert_frame_equal(fast, slow)
