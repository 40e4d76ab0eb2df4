from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from csclass.errors import ModelError
from csclass.persist import CARD_FILE, MODEL_FILE, file_sha256, load_model, save_model


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "model"
    shutil.copytree(src, dst)
    return dst


def test_round_trip_predicts_identically(trained_model_dir: Path, tmp_path: Path) -> None:
    from csclass.features import prepare_documents
    from csclass.segment import Segmenter

    model, card = load_model(trained_model_dir)
    again = load_model(save_model(model, card, tmp_path / "again"))[0]
    convs = pd.DataFrame({"buyer_text": ["快递三天没动了", "有优惠券吗"], "agent_text": ["", ""]})
    docs = prepare_documents(convs, Segmenter(), model.params)
    pd.testing.assert_frame_equal(model.predict(docs), again.predict(docs))
    assert card["labels"]["原因类别"][0] == "物流"
    assert card["training_data"]["sha256"]
    assert "confusion" in card["metrics"]["cross_validation"]["原因类别"]


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="模型目录不存在；请先运行 csclass train"):
        load_model(tmp_path / "none")


def test_tampered_model_file_refused(trained_model_dir: Path, tmp_path: Path) -> None:
    model_dir = _copy(trained_model_dir, tmp_path)
    with (model_dir / MODEL_FILE).open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelError, match="SHA-256 不符"):
        load_model(model_dir)


def test_truncated_model_file_refused(trained_model_dir: Path, tmp_path: Path) -> None:
    model_dir = _copy(trained_model_dir, tmp_path)
    path = model_dir / MODEL_FILE
    path.write_bytes(path.read_bytes()[:1000])
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    card["model_sha256"] = file_sha256(path)
    (model_dir / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="模型文件损坏"):
        load_model(model_dir)


def test_untrusted_type_refused(tmp_path: Path) -> None:
    import skops.io as sio

    model_dir = tmp_path / "evil"
    model_dir.mkdir()
    sio.dump({"payload": pd.Timestamp("2026-01-01")}, model_dir / MODEL_FILE)
    card = {"format_version": 1, "model_sha256": file_sha256(model_dir / MODEL_FILE)}
    (model_dir / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="不受信任的类型 .*Timestamp.*已拒绝加载"):
        load_model(model_dir)


def test_incompatible_format_version(trained_model_dir: Path, tmp_path: Path) -> None:
    model_dir = _copy(trained_model_dir, tmp_path)
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    card["format_version"] = 99
    (model_dir / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="模型格式版本 99 与本版 csclass.*不兼容"):
        load_model(model_dir)


def test_corrupt_card(trained_model_dir: Path, tmp_path: Path) -> None:
    model_dir = _copy(trained_model_dir, tmp_path)
    (model_dir / CARD_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="模型说明文件损坏"):
        load_model(model_dir)
