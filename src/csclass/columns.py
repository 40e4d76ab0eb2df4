"""Recognise the columns of a chat export from its header.

Exports name columns in Chinese or English and in many ways; this module maps
a header to the roles csclass needs (conversation id, sender role, text, time)
and to optional per-conversation columns used by reports (satisfaction,
resolved, buyer id, agent id) and for training (the three label columns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .defaults import ReadOptions
from .errors import ColumnError
from .taxonomy import CAUSE, RESPONSIBILITY, TYPE

ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "id": (
        "会话id",
        "会话编号",
        "对话id",
        "会话",
        "对话编号",
        "session_id",
        "sessionid",
        "conversation_id",
        "conversationid",
        "conv_id",
        "dialog_id",
        "chat_id",
        "id",
    ),
    "role": ("发送方", "角色", "发送者", "发言人", "说话人", "发送人", "sender", "role", "speaker", "from"),
    "text": (
        "内容",
        "消息",
        "消息内容",
        "聊天内容",
        "文本",
        "对话内容",
        "评论",
        "评价内容",
        "评论内容",
        "text",
        "content",
        "message",
        "msg",
        "review",
        "comment",
    ),
    "time": ("时间", "发送时间", "消息时间", "创建时间", "日期", "timestamp", "time", "datetime", "date", "created_at", "send_time"),
    "satisfaction": ("满意度", "评分", "满意度评分", "评价分", "satisfaction", "rating", "score", "csat"),
    "resolved": ("是否解决", "已解决", "解决状态", "问题是否解决", "resolved", "is_resolved", "solved"),
    "buyer_id": ("买家id", "顾客id", "客户id", "用户id", "买家昵称", "买家账号", "user_id", "buyer_id", "customer_id"),
    "agent_id": ("客服id", "客服工号", "客服昵称", "客服账号", "坐席id", "agent_id", "staff_id", "agent"),
    "first_response": ("首次响应秒", "首响时长", "首次响应时长", "first_response_s"),
    "avg_response": ("平均响应秒", "平均响应时长", "avg_response_s"),
    "need_review": ("需复核", "need_review"),
    "type_confidence": ("问题类型置信度",),
    "cause_confidence": ("原因类别置信度",),
    "responsibility_confidence": ("责任方置信度",),
    TYPE: (TYPE, "类型", "type", "issue_type"),
    CAUSE: (CAUSE, "原因", "cause", "category"),
    RESPONSIBILITY: (RESPONSIBILITY, "责任", "responsibility", "responsible"),
}

#: Columns the user can override with a CLI flag, and the flag's name.
OVERRIDE_FLAGS: Final[dict[str, str]] = {
    "id": "--id-col",
    "role": "--role-col",
    "text": "--text-col",
    "time": "--time-col",
}

ROLE_VALUES: Final[dict[str, str]] = {
    **{v: "buyer" for v in ("买家", "顾客", "客户", "用户", "buyer", "customer", "user", "0", "b")},
    **{v: "agent" for v in ("客服", "商家", "卖家", "agent", "staff", "seller", "1", "a")},
}


def _key(name: str) -> str:
    return re.sub(r"[\s_\-()（）]", "", str(name)).lower().lstrip("\ufeff")


@dataclass(frozen=True)
class ColumnMap:
    """Which input column plays which role; None where absent."""

    id: str | None
    role: str | None
    text: str
    time: str | None
    extras: dict[str, str]

    @property
    def message_level(self) -> bool:
        """True when the file has one row per message (a role column exists)."""
        return self.role is not None


def map_columns(columns: list[str], options: ReadOptions, source: str) -> ColumnMap:
    """Map a header to column roles.

    Parameters
    ----------
    columns : list of str
        The header as read.
    options : ReadOptions
        Overrides given by the user.
    source : str
        File name for error messages.

    Returns
    -------
    ColumnMap
        The recognised columns.

    Raises
    ------
    ColumnError
        An override names no column, or no text column is found.
    """
    by_key: dict[str, str] = {}
    for col in columns:
        by_key.setdefault(_key(col), col)
    found = "、".join(str(c) for c in columns)
    chosen: dict[str, str | None] = {}
    for role, flag in OVERRIDE_FLAGS.items():
        override = getattr(options, f"{role}_col")
        if override is not None:
            if override not in columns:
                raise ColumnError(f"{source}: 没有名为 “{override}” 的列（{flag}）；文件中的列为：{found}")
            chosen[role] = override
    used = {c for c in chosen.values() if c}
    for role in ALIASES:
        if role in chosen:
            continue
        match = next(
            (by_key[_key(a)] for a in ALIASES[role] if _key(a) in by_key and by_key[_key(a)] not in used),
            None,
        )
        chosen[role] = match
        if match:
            used.add(match)
    text = chosen.get("text")
    if text is None:
        raise ColumnError(f"{source}: 找不到聊天内容列；文件中的列为：{found}。请用 --text-col 指定内容列")
    if chosen.get("role") and not chosen.get("id"):
        raise ColumnError(f"{source}: 有发送方列 “{chosen['role']}” 但找不到会话ID列；文件中的列为：{found}。请用 --id-col 指定会话ID列")
    extras = {k: v for k, v in chosen.items() if k not in OVERRIDE_FLAGS and v is not None}
    return ColumnMap(
        id=chosen.get("id"),
        role=chosen.get("role"),
        text=text,
        time=chosen.get("time"),
        extras=extras,
    )


def role_lookup(role_map: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Return the role table: recognised values plus the user's ``--role-map``."""
    table = dict(ROLE_VALUES)
    for value, role in role_map:
        table[value.strip().lower()] = role
    return table
