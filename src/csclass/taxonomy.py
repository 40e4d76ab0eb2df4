"""The label specification (taxonomy v1) as data.

Three axes label every conversation: 问题类型 (type), 原因类别 (cause) and
责任方 (responsibility). The taxonomy also forbids some combinations: a
咨询 or 建议 blames nobody except, for an inquiry the buyer's own action made
necessary, the buyer (客户); a 投诉 always blames someone.
"""

from __future__ import annotations

from typing import Final

TYPE: Final = "问题类型"
CAUSE: Final = "原因类别"
RESPONSIBILITY: Final = "责任方"
AXES: Final[tuple[str, str, str]] = (TYPE, CAUSE, RESPONSIBILITY)

TYPE_LABELS: Final[tuple[str, ...]] = ("咨询", "投诉", "建议")
CAUSE_LABELS: Final[tuple[str, ...]] = (
    "物流",
    "售后",
    "描述不清",
    "商品质量",
    "服务态度",
    "价格促销",
    "订单支付",
    "其他",
)
RESPONSIBILITY_LABELS: Final[tuple[str, ...]] = ("商家", "物流", "客户", "无")

LABELS: Final[dict[str, tuple[str, ...]]] = {
    TYPE: TYPE_LABELS,
    CAUSE: CAUSE_LABELS,
    RESPONSIBILITY: RESPONSIBILITY_LABELS,
}

#: English names used in JSON output and code.
AXIS_KEYS: Final[dict[str, str]] = {TYPE: "type", CAUSE: "cause", RESPONSIBILITY: "responsibility"}

#: The label given to a conversation with no buyer text at all.
EMPTY_LABELS: Final[dict[str, str]] = {TYPE: "咨询", CAUSE: "其他", RESPONSIBILITY: "无"}

#: 责任方 values the taxonomy allows for each 问题类型.
ALLOWED_RESPONSIBILITY: Final[dict[str, tuple[str, ...]]] = {
    "咨询": ("无", "客户"),
    "建议": ("无",),
    "投诉": ("商家", "物流", "客户"),
}


def is_allowed(type_label: str, responsibility: str) -> bool:
    """Tell whether the taxonomy allows a 问题类型 with a 责任方.

    Parameters
    ----------
    type_label : str
        A 问题类型 label.
    responsibility : str
        A 责任方 label.

    Returns
    -------
    bool
        True when the pair is allowed.
    """
    return responsibility in ALLOWED_RESPONSIBILITY.get(type_label, ())
