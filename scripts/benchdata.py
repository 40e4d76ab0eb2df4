"""Synthetic message-level chat exports for benchmarks, resampled from our corpus.

Each synthetic conversation starts from a corpus conversation (with its labels)
and is padded with buyer and agent lines drawn from the whole corpus until it
reaches a length drawn around the target mean, so that files of any size have a
realistic shape: about 12 messages per conversation and short buyer lines.

    python scripts/benchdata.py --conversations 200000 --out bench_out/chats.csv
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "training_data" / "corpus.csv"


def load_corpus(path: Path = CORPUS) -> tuple[list[tuple[str, list[tuple[str, str]], tuple[str, str, str]]], list[str], list[str]]:
    """Return conversations (id, messages, labels), all buyer lines and all agent lines."""
    convs: dict[str, tuple[list[tuple[str, str]], tuple[str, str, str]]] = {}
    buyer: list[str] = []
    agent: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            msgs, _ = convs.setdefault(row["会话ID"], ([], (row["问题类型"], row["原因类别"], row["责任方"])))
            msgs.append((row["发送方"], row["内容"]))
            (buyer if row["发送方"] == "买家" else agent).append(row["内容"])
    return [(cid, m, lab) for cid, (m, lab) in convs.items()], buyer, agent


def write_chats(out: Path, n: int, mean_messages: float = 12.0, seed: int = 0, labels: bool = False) -> Path:
    """Write ``n`` synthetic conversations to ``out`` (message level, UTF-8)."""
    rng = random.Random(seed)
    convs, buyer, agent = load_corpus()
    start = datetime(2026, 9, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        header = ["会话ID", "发送方", "内容", "时间"] + (["问题类型", "原因类别", "责任方"] if labels else [])
        writer.writerow(header)
        for i in range(n):
            _, msgs, lab = convs[rng.randrange(len(convs))]
            msgs = list(msgs)
            # Every conversation is a chat: a single-message corpus item (a review) is
            # padded too, so the file has the length distribution of a chat export.
            target = max(1, int(rng.expovariate(1 / mean_messages)))
            while len(msgs) < target:
                msgs.append(("买家", rng.choice(buyer)) if len(msgs) % 2 == 0 else ("客服", rng.choice(agent)))
            t = start + timedelta(seconds=rng.randrange(0, 60 * 86400))
            for role, text in msgs:
                writer.writerow([f"B{i:08d}", role, text, t.strftime("%Y-%m-%d %H:%M:%S"), *(lab if labels else ())])
                t += timedelta(seconds=rng.randrange(3, 120))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--mean-messages", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench_out" / "chats.csv")
    args = parser.parse_args()
    print(write_chats(args.out, args.conversations, args.mean_messages, args.seed))


if __name__ == "__main__":
    main()
