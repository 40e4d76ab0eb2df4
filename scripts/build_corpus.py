"""Build training_data/corpus.csv from the hand-written batches in training_data/src/.

Each batch line is one hand-written labelled conversation (see
training_data/README.md). This script only adds surface noise around those
cores, deterministically (seeded by the conversation id): an occasional opening
greeting and agent boilerplate, a long buyer line split into two messages,
common typos and homophones, and message times. It never writes new content.

    python scripts/build_corpus.py
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "training_data" / "src"
OUT = ROOT / "training_data" / "corpus.csv"

TYPES = {"咨询", "投诉", "建议"}
CAUSES = {"物流", "售后", "描述不清", "商品质量", "服务态度", "价格促销", "订单支付", "其他"}
RESPS = {"商家", "物流", "客户", "无"}

OPENERS = ["在吗", "在吗？", "你好", "您好", "亲", "客服在吗", "hello", "有人吗", "在不在"]
AGENT_HELLO = ["亲亲在的哦~", "您好，很高兴为您服务~", "在的呢亲，请问有什么可以帮您", "您好，欢迎光临，请问有什么可以帮您？"]
AGENT_BYE = ["还有其他可以帮您的吗？", "感谢您的耐心等待，祝您生活愉快~", "亲，还有什么问题随时联系我们哦"]
TYPOS = [
    ("已经", "已近"),
    ("收到", "收倒"),
    ("什么", "神马"),
    ("怎么", "咋"),
    ("的", "滴"),
    ("再", "在"),
    ("吗", "嘛"),
    ("没有", "木有"),
    ("这样", "酱紫"),
    ("东西", "东东"),
]


def _rng(conv_id: str) -> random.Random:
    return random.Random(int(hashlib.sha256(conv_id.encode()).hexdigest()[:12], 16))


def _typo(text: str, rng: random.Random) -> str:
    for right, wrong in rng.sample(TYPOS, 2):
        if right in text:
            return text.replace(right, wrong, 1)
    return text


def _split(text: str, rng: random.Random) -> list[str]:
    marks = [m.end() for m in re.finditer(r"[，,。！!？?~ ]", text) if 6 < m.end() < len(text) - 4]
    if not marks:
        return [text]
    cut = rng.choice(marks)
    return [text[:cut].rstrip("，, "), text[cut:].lstrip()]


def add_noise(conv_id: str, turns: list[list[str]]) -> list[tuple[str, str]]:
    """Return (role, text) messages with deterministic surface noise."""
    rng = _rng(conv_id)
    msgs: list[tuple[str, str]] = []
    multi = len(turns) > 1
    if multi and rng.random() < 0.15 and not re.match(r"^(在|你好|您好|亲|hello)", turns[0][1]):
        msgs.append(("买家", rng.choice(OPENERS)))
        msgs.append(("客服", rng.choice(AGENT_HELLO)))
    for role, text in turns:
        role_name = "买家" if role == "b" else "客服"
        if role == "b":
            if rng.random() < 0.08:
                text = _typo(text, rng)
            if multi and len(text) > 24 and rng.random() < 0.15:
                msgs.extend((role_name, part) for part in _split(text, rng))
                continue
        msgs.append((role_name, text))
    if multi and msgs[-1][0] == "客服" and rng.random() < 0.2:
        msgs.append(("客服", rng.choice(AGENT_BYE)))
    return msgs


def load_batches() -> list[dict]:
    items, seen = [], set()
    for path in sorted(SRC.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                sys.exit(f"{path.name}:{n}: invalid JSON ({exc})")
            if item["type"] not in TYPES or item["cause"] not in CAUSES or item["resp"] not in RESPS:
                sys.exit(f"{path.name}:{n}: label outside the taxonomy: {item['type']}/{item['cause']}/{item['resp']}")
            if item["id"] in seen:
                sys.exit(f"{path.name}:{n}: duplicate id {item['id']}")
            if not item["turns"] or not any(r == "b" for r, _ in item["turns"]):
                sys.exit(f"{path.name}:{n}: no buyer turn")
            seen.add(item["id"])
            items.append(item)
    return items


def main() -> None:
    items = load_batches()
    start = datetime(2026, 1, 1, 8, 0, 0)
    rows = 0
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["会话ID", "发送方", "内容", "时间", "问题类型", "原因类别", "责任方"])
        for item in items:
            rng = _rng(item["id"] + "/time")
            t = start + timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
            for role, text in add_noise(item["id"], item["turns"]):
                writer.writerow([item["id"], role, text, t.strftime("%Y-%m-%d %H:%M:%S"), item["type"], item["cause"], item["resp"]])
                rows += 1
                t += timedelta(seconds=rng.randrange(5, 240))
    print(f"{len(items)} conversations, {rows} messages -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
