"""Print statistics of a labelled corpus: label counts, forms, variety, near-duplicates.

    python scripts/corpus_stats.py [training_data/corpus.csv] [--threshold 0.8]

* label counts per axis and per type/cause/responsibility combination;
* forms: single buyer message, two messages, three or more (multi-turn with an agent);
* distinct-n: distinct word bigrams / all word bigrams of the buyer text, and the
  same for character 4-grams (higher = more varied wording);
* near-duplicate rate: share of conversations whose normalised buyer text has a
  Jaccard similarity >= threshold (character 3-gram sets) with another one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from csclass.normalize import normalize_text
from csclass.reader import read_conversations
from csclass.segment import Segmenter
from csclass.taxonomy import AXES

ROOT = Path(__file__).resolve().parents[1]


def near_duplicate_rate(texts: list[str], threshold: float, block: int = 1000) -> tuple[float, int]:
    """Share of texts with a near-duplicate, and how many such texts."""
    from sklearn.feature_extraction.text import CountVectorizer

    matrix = CountVectorizer(analyzer="char", ngram_range=(3, 3), binary=True, lowercase=False).fit_transform(
        [t.replace(" ", "") for t in texts]
    )
    matrix = matrix.tocsr().astype(np.float32)
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    has_dup = np.zeros(len(texts), dtype=bool)
    for start in range(0, len(texts), block):
        inter = (matrix[start : start + block] @ matrix.T).toarray()
        union = sizes[start : start + block, None] + sizes[None, :] - inter
        with np.errstate(divide="ignore", invalid="ignore"):
            jac = np.where(union > 0, inter / union, 0)
        for i in range(jac.shape[0]):
            jac[i, start + i] = 0
        has_dup[start : start + block] = (jac >= threshold).any(axis=1)
    return float(has_dup.mean()), int(has_dup.sum())


def distinct_ratio(docs: list[list[str]], n: int) -> float:
    grams = [tuple(d[i : i + n]) for d in docs for i in range(len(d) - n + 1)]
    return len(set(grams)) / max(len(grams), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=ROOT / "training_data" / "corpus.csv")
    parser.add_argument("--threshold", type=float, default=0.8)
    args = parser.parse_args()
    frame, _ = read_conversations(args.path)
    n = len(frame)
    print(f"{args.path}: {n} conversations")
    for axis in AXES:
        counts = frame[axis].value_counts()
        print(f"{axis}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    combos = frame.groupby(list(AXES)).size().sort_values(ascending=False)
    print(f"combinations ({len(combos)}):")
    for key, v in combos.items():
        print(f"  {'/'.join(key)}: {v}")
    single = (frame["n_messages"] == 1) & frame["agent_text"].eq("")
    multi = (frame["n_messages"] >= 3) & frame["agent_text"].ne("")
    print(
        f"forms: single buyer message {single.mean():.1%}, multi-turn with agent (3+ messages) {multi.mean():.1%}, "
        f"other {(~single & ~multi).mean():.1%}"
    )
    print(
        f"messages per conversation: mean {frame['n_messages'].mean():.1f}; "
        f"buyer characters per conversation: mean {frame['buyer_text'].str.len().mean():.0f}"
    )
    seg = Segmenter()
    norm = [normalize_text(t) for t in frame["buyer_text"]]
    words = [seg.words(t) for t in norm]
    chars = [list(t.replace(" ", "")) for t in norm]
    print(f"distinct-2 (word bigrams): {distinct_ratio(words, 2):.3f}; distinct-4 (char 4-grams): {distinct_ratio(chars, 4):.3f}")
    rate, count = near_duplicate_rate(norm, args.threshold)
    substantive = [t for t in norm if len(t.replace(" ", "")) >= 10]
    rate_long, count_long = near_duplicate_rate(substantive, args.threshold)
    print(
        f"near-duplicate rate (Jaccard >= {args.threshold} on char 3-grams, after normalisation): "
        f"{rate:.2%} ({count} of {n}); among buyer texts of 10+ characters: {rate_long:.2%} ({count_long} of {len(substantive)})"
    )
    by_source = pd.Series(frame["conv_id"].str.split("-").str[0]).value_counts()
    print("batches: " + ", ".join(f"{k} {v}" for k, v in by_source.items()))


if __name__ == "__main__":
    main()
