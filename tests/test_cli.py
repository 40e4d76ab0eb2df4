from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from csclass import __version__
from csclass.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"csclass {__version__}"


def test_help_has_examples() -> None:
    assert "示例" in runner.invoke(app, ["--help"]).output
    for command in ("train", "label", "evaluate"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and f"csclass {command}" in result.output


def test_label_prints_summary(message_csv: Path, trained_model_dir: Path) -> None:
    result = runner.invoke(app, ["label", str(message_csv), "--model", str(trained_model_dir)])
    assert result.exit_code == 0, result.output
    assert "标注结果（2 个会话）" in result.output
    assert "5 行 → 2 个会话" in result.output
    assert (message_csv.parent / "chats_labeled.csv").exists()


def test_error_is_one_red_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["label", str(tmp_path / "missing.csv")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"错误：{tmp_path / 'missing.csv'}: 文件不存在；请检查路径"]
    assert "Traceback" not in result.output


def test_unknown_role_error_names_flag(write_csv, trained_model_dir: Path) -> None:
    path = write_csv([["会话ID", "发送方", "内容"], ["a", "bot", "x"]])
    result = runner.invoke(app, ["label", str(path), "--model", str(trained_model_dir)])
    assert result.exit_code == 1
    assert "第 2 行: 发送方 “bot”" in result.output and "--role-map" in result.output
    ok = runner.invoke(app, ["label", str(path), "--model", str(trained_model_dir), "--role-map", "bot=agent"])
    assert ok.exit_code == 0, ok.output


def test_bad_role_map_syntax(message_csv: Path) -> None:
    result = runner.invoke(app, ["label", str(message_csv), "--role-map", "bot"])
    assert result.exit_code == 1 and "--role-map “bot” 格式不对" in result.output


def test_evaluate_json(small_corpus: Path, trained_model_dir: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(small_corpus, dtype=str)
    gold = tmp_path / "gold.csv"
    frame[frame["会话ID"].isin(frame["会话ID"].unique()[:30])].to_csv(gold, index=False)
    result = runner.invoke(app, ["evaluate", str(gold), "--model", str(trained_model_dir), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["n"] == 30
    assert set(scores) >= {"问题类型", "原因类别", "责任方", "cause_share_mae_pp"}
    table = runner.invoke(app, ["evaluate", str(gold), "--model", str(trained_model_dir)])
    assert "混淆矩阵" in table.output and "macro-F1" in table.output


def test_train_writes_model_and_prints_cv(small_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", "--data", str(small_corpus), "--out", str(out), "--folds", "2"])
    assert result.exit_code == 0, result.output
    assert "2 折交叉验证" in result.output and "macro-F1" in result.output
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert card["training_data"]["files"] == ["small.csv"]


def test_train_is_deterministic(small_corpus: Path, tmp_path: Path) -> None:
    import numpy as np

    from csclass.persist import load_model

    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert runner.invoke(app, ["train", "--data", str(small_corpus), "--out", str(out), "--folds", "2"]).exit_code == 0
    card_a = json.loads((a / "card.json").read_text(encoding="utf-8"))
    card_b = json.loads((b / "card.json").read_text(encoding="utf-8"))
    assert card_a["metrics"] == card_b["metrics"]
    # skops archives embed object ids, so compare the fitted parameters, not the bytes.
    model_a, model_b = load_model(a)[0], load_model(b)[0]
    for axis in ("问题类型", "原因类别", "责任方"):
        np.testing.assert_array_equal(model_a.heads_[axis].coef_, model_b.heads_[axis].coef_)
    np.testing.assert_array_equal(model_a.feature_names_, model_b.feature_names_)


def test_train_rejects_label_outside_taxonomy(write_csv, tmp_path: Path) -> None:
    path = write_csv(
        [["会话ID", "发送方", "内容", "问题类型", "原因类别", "责任方"], ["a", "买家", "x", "投诉", "天气", "商家"]],
        name="bad.csv",
    )
    result = runner.invoke(app, ["train", "--data", str(path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "bad.csv 第 2 行: 原因类别 “天气” 不在标签集中" in result.output


def test_help_does_not_import_heavy_libraries() -> None:
    import subprocess
    import sys

    code = "import sys; from csclass.cli import app; print(sorted(m for m in ('pandas', 'sklearn', 'jieba', 'skops') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
