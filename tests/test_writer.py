from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csclass.errors import OutputError
from csclass.writer import neutralize_cell, neutralize_frame, write_table


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x","点我")', '\'=HYPERLINK("http://x","点我")'),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-_-", "'-_-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("正常文本=1", "正常文本=1"),
        (3.5, 3.5),
    ],
)
def test_neutralize_cell(cell, expected) -> None:
    assert neutralize_cell(cell) == expected


_CELLS = st.one_of(st.none(), st.floats(allow_nan=False), st.text(alphabet="=+-@\t\r'a退 1", max_size=4))


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(_CELLS, min_size=1, max_size=6), texts=st.lists(st.text(alphabet="=+-@\tb款", max_size=3), min_size=1, max_size=6))
def test_neutralize_frame_equals_cell_by_cell(cells, texts) -> None:
    # Mixed object columns and pandas string columns are neutralised exactly as neutralize_cell would.
    mixed = pd.Series(cells, dtype=object)
    strings = pd.Series(texts, dtype="str")
    out = neutralize_frame(pd.DataFrame({"mixed": mixed}))["mixed"]
    assert out.tolist() == [neutralize_cell(c) for c in cells]
    out = neutralize_frame(pd.DataFrame({"s": strings}))["s"]
    assert out.tolist() == [neutralize_cell(c) for c in texts]
    assert str(out.dtype) == str(strings.dtype)


def test_csv_output_is_neutralised(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    write_table([pd.DataFrame({"a": ["=1+1", "ok"], "n": [1, 2]})], out)
    assert pd.read_csv(out, encoding="utf-8-sig")["a"].tolist() == ["'=1+1", "ok"]


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    out.write_text("old", encoding="utf-8")

    def chunks():
        yield pd.DataFrame({"a": ["x"]})
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_table(chunks(), out)
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="不支持的输出格式 “.txt”"):
        write_table([pd.DataFrame({"a": [1]})], tmp_path / "o.txt")


def test_full_disk_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    import errno
    import os

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        write_table([pd.DataFrame({"a": [1]})], tmp_path / "o.csv")
    assert list(tmp_path.iterdir()) == []


def test_xlsx_output_is_neutralised_text(tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "o.xlsx"
    cells = ['=HYPERLINK("http://x","点我")', "=cmd|' /C calc'!A0", "@SUM(1)", "ok"]
    write_table([pd.DataFrame({"内容": cells, "n": [1, 2, 3, 4]})], out)
    sheet = openpyxl.load_workbook(out).active
    values = [sheet.cell(row=i, column=1).value for i in range(2, 6)]
    assert values == ["'" + c for c in cells[:3]] + ["ok"]
    assert all(sheet.cell(row=i, column=1).data_type == "s" for i in range(2, 6))
    assert sheet.cell(row=2, column=2).value == 1
