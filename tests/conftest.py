"""Shared fixtures: tiny input files and one session-scoped trained model."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "training_data" / "corpus.csv"

MESSAGE_ROWS = [
    ["会话ID", "发送方", "内容", "时间"],
    ["c1", "买家", "在吗，我的快递三天没动了", "2026-10-01 10:00:00"],
    ["c1", "客服", "亲，请稍等，正在为您查询", "2026-10-01 10:00:30"],
    ["c1", "买家", "订单号 4587213369025", "2026-10-01 10:01:00"],
    ["c2", "买家", "这件衣服有XL码吗", "2026-10-02 09:00:00"],
    ["c2", "客服", "有的亲", "2026-10-02 09:02:00"],
]


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows to a CSV in ``tmp_path`` with a given encoding."""

    def write(rows: list[list[str]], name: str = "chats.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as fh:
            csv.writer(fh).writerows(rows)
        return path

    return write


@pytest.fixture
def message_csv(write_csv: Callable[..., Path]) -> Path:
    return write_csv(MESSAGE_ROWS)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fifth conversation of the shipped corpus, as a training file."""
    import pandas as pd

    frame = pd.read_csv(CORPUS, dtype=str, keep_default_na=False)
    ids = frame["会话ID"].drop_duplicates()
    keep = set(ids.iloc[::5])
    path = tmp_path_factory.mktemp("corpus") / "small.csv"
    frame[frame["会话ID"].isin(keep)].to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def trained_model_dir(small_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model trained once per test session on the small corpus."""
    from csclass.persist import save_model
    from csclass.training import train_model

    result = train_model([small_corpus], folds=2, random_state=0)
    return save_model(result.model, result.card, tmp_path_factory.mktemp("model") / "m")
