from __future__ import annotations

import numpy as np
import pandas as pd

from csclass.features import prepare_documents
from csclass.model import ChatClassifier
from csclass.segment import Segmenter
from csclass.taxonomy import CAUSE_LABELS, RESPONSIBILITY_LABELS, TYPE_LABELS


def _uniform_model() -> ChatClassifier:
    model = ChatClassifier(type_prior={"咨询": 1, "投诉": 1, "建议": 1})
    labels = pd.DataFrame({"问题类型": ["咨询", "投诉", "建议"], "原因类别": ["物流", "物流", "物流"], "责任方": ["无", "物流", "无"]})
    model.joint_prior_ = model._joint_prior(labels)
    return model


def _one_hot_probs(t: str, c: str, r: str, strength: float = 0.9) -> dict[str, np.ndarray]:
    def vec(labels: tuple[str, ...], value: str) -> np.ndarray:
        v = np.full((1, len(labels)), (1 - strength) / (len(labels) - 1))
        v[0, labels.index(value)] = strength
        return v

    return {"问题类型": vec(TYPE_LABELS, t), "原因类别": vec(CAUSE_LABELS, c), "责任方": vec(RESPONSIBILITY_LABELS, r)}


def test_forbidden_combination_is_reconciled() -> None:
    model = _uniform_model()
    # The heads say 咨询 and, alone, 商家: the taxonomy forbids 咨询/商家.
    decoded = model.decode(_one_hot_probs("咨询", "物流", "商家", strength=0.6))
    t, r = TYPE_LABELS[decoded["问题类型"][0][0]], RESPONSIBILITY_LABELS[decoded["责任方"][0][0]]
    assert (t, r) in {("咨询", "无"), ("咨询", "客户"), ("投诉", "商家")}


def test_joint_prior_forbids_pairs() -> None:
    prior = _uniform_model().joint_prior_
    ti, ri = TYPE_LABELS.index, RESPONSIBILITY_LABELS.index
    assert np.all(prior[ti("咨询"), :, ri("商家")] == 0)
    assert np.all(prior[ti("咨询"), :, ri("物流")] == 0)
    assert np.all(prior[ti("建议"), :, ri("客户")] == 0)
    assert np.all(prior[ti("投诉"), :, ri("无")] == 0)
    assert np.isclose(prior.sum(), 1.0)


def test_confident_consistent_prediction_kept() -> None:
    decoded = _uniform_model().decode(_one_hot_probs("投诉", "物流", "物流", strength=0.95))
    assert TYPE_LABELS[decoded["问题类型"][0][0]] == "投诉"
    assert CAUSE_LABELS[decoded["原因类别"][0][0]] == "物流"
    assert RESPONSIBILITY_LABELS[decoded["责任方"][0][0]] == "物流"
    for _, conf in decoded.values():
        assert 0.5 < conf[0] <= 1.0


def test_fit_predict_is_deterministic(small_corpus) -> None:
    from csclass.training import read_labelled

    data, _ = read_labelled([small_corpus])
    data = data.iloc[::4]
    docs = prepare_documents(data, Segmenter(), ChatClassifier().params)
    labels = data[["问题类型", "原因类别", "责任方"]]
    a = ChatClassifier(random_state=3).fit(docs, labels).predict(docs)
    b = ChatClassifier(random_state=3).fit(docs, labels).predict(docs)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["问题类型"]) <= set(TYPE_LABELS)
    # Every prediction is a combination the taxonomy allows.
    from csclass.taxonomy import is_allowed

    assert all(is_allowed(t, r) for t, r in zip(a["问题类型"], a["责任方"], strict=True))


def test_two_cause_corpus_still_gives_evidence() -> None:
    convs = pd.DataFrame(
        {
            "buyer_text": ["快递三天没动了", "快递一直不派送", "物流卡住了", "优惠券用不了", "满减没有减", "领的券不能用"] * 2,
            "agent_text": [""] * 12,
        }
    )
    labels = pd.DataFrame({"问题类型": ["投诉"] * 12, "原因类别": (["物流"] * 3 + ["价格促销"] * 3) * 2, "责任方": ["商家"] * 12})
    model = ChatClassifier(params=ChatClassifier().params.__class__(min_df=1))
    docs = prepare_documents(convs, Segmenter(), model.params)
    out = model.fit(docs, labels).predict(docs)
    assert out.loc[0, "原因类别"] == "物流"
    assert "快递" in out.loc[0, "依据"]


def test_responsibility_given_the_type_cannot_overrule_the_type() -> None:
    model = _uniform_model()
    probs = _one_hot_probs("投诉", "物流", "无", strength=0.9)
    probs["问题类型"] = np.array([[0.45, 0.55, 0.0]])  # 咨询, 投诉, 建议: a close call for 投诉
    # Alone, the all-conversation head's 无 (0.9) turns the close call into 咨询.
    assert TYPE_LABELS[model.decode(probs)["问题类型"][0][0]] == "咨询"
    # Given the type: among complaints the text points to the carrier; among inquiries it is 无.
    probs["责任方|投诉"] = np.array([[0.1, 0.9, 0.0, 0.0]])  # 商家, 物流, 客户, 无
    probs["责任方|咨询"] = np.array([[0.0, 0.0, 0.5, 0.5]])
    decoded = model.decode(probs)
    assert TYPE_LABELS[decoded["问题类型"][0][0]] == "投诉"
    assert RESPONSIBILITY_LABELS[decoded["责任方"][0][0]] == "物流"


def test_responsibility_heads_are_fitted_per_type() -> None:
    convs = pd.DataFrame(
        {
            "buyer_text": ["快递三天没动了", "快递员态度差", "发错货了", "少发一件", "能改地址吗", "地址填错了能改吗"] * 2,
            "agent_text": [""] * 12,
        }
    )
    labels = pd.DataFrame(
        {
            "问题类型": (["投诉"] * 4 + ["咨询"] * 2) * 2,
            "原因类别": ["物流"] * 12,
            "责任方": ["物流", "物流", "商家", "商家", "无", "客户"] * 2,
        }
    )
    model = ChatClassifier(params=ChatClassifier().params.__class__(min_df=1))
    model.fit(prepare_documents(convs, Segmenter(), model.params), labels)
    assert sorted(model.heads_["责任方|投诉"].classes_) == ["商家", "物流"]
    assert sorted(model.heads_["责任方|咨询"].classes_) == ["客户", "无"]
