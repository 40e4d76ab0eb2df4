from __future__ import annotations

import pandas as pd
import pytest

from csclass.evaluation import score_axis, score_labels, share_error


def test_score_axis_hand_checked() -> None:
    gold = ["咨询", "咨询", "投诉", "投诉", "建议"]
    pred = ["咨询", "投诉", "投诉", "投诉", "咨询"]
    s = score_axis(gold, pred, ("咨询", "投诉", "建议"))
    assert s["accuracy"] == 0.6
    # 咨询: P 1/2 R 1/2 F 0.5; 投诉: P 2/3 R 1 F 0.8; 建议: 0.
    assert s["per_class"]["咨询"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert s["per_class"]["投诉"]["f1"] == 0.8
    assert s["macro_f1"] == pytest.approx(round((0.5 + 0.8 + 0) / 3, 4))
    assert s["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


def test_share_error() -> None:
    # Shares: gold 物流 .5 售后 .5; pred 物流 1.0 → |.5| + |.5| over 8 labels = 12.5 pp.
    assert share_error(["物流", "售后"], ["物流", "物流"], ("物流", "售后", "a", "b", "c", "d", "e", "f")) == 12.5


def test_score_labels_keys() -> None:
    frame = pd.DataFrame({"问题类型": ["咨询"], "原因类别": ["物流"], "责任方": ["无"]})
    s = score_labels(frame, frame)
    assert s["n"] == 1 and s["原因类别"]["accuracy"] == 1.0 and s["cause_share_mae_pp"] == 0.0
