"""Compare model settings by leave-one-batch-out cross-validation on our corpus.

Each hand-written batch (the id prefix: lg, as, rv, ...) was written by a
different annotator in its own style. Training on all batches but one and
scoring the held-out batch measures how a setting generalises to wording it has
not seen, which random k-fold (near-identical styles on both sides) does not.
This is how the shipped settings are chosen; the real-data dev set is only used
to report the result.

    python scripts/model_selection.py [--configs NAME ...]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pandas as pd

from csclass.defaults import ModelParams
from csclass.evaluation import score_labels
from csclass.features import prepare_documents
from csclass.model import ChatClassifier
from csclass.segment import Segmenter
from csclass.taxonomy import AXES
from csclass.training import read_labelled

ROOT = Path(__file__).resolve().parents[1]
CONFIGS: dict[str, dict[str, object]] = {
    "default": {},
    "C=1": {"C": 1.0},
    "C=0.5": {"C": 0.5},
    "C=10": {"C": 10.0},
    "C=30": {"C": 30.0},
    "C=100": {"C": 100.0},
    "no-agent": {"agent_weight": 0.0},
    "agent=0.6": {"agent_weight": 0.6},
    "chars-2-3": {"char_ngram_min": 2},
    "chars-1-2": {"char_ngram_max": 2},
    "first=1": {"first_weight": 1.0},
    "first=0": {"first_weight": 0.0},
    "lexicon=0": {"lexicon_weight": 0.0},
    "lexicon=0.5": {"lexicon_weight": 0.5},
    "lexicon=2": {"lexicon_weight": 2.0},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS))
    args = parser.parse_args()
    data, _ = read_labelled([ROOT / "training_data" / "corpus.csv"])
    batches = data["conv_id"].str.split("-").str[0]
    labels = data[list(AXES)]
    docs = prepare_documents(data, Segmenter(), ModelParams())
    print(f"{len(data)} conversations, batches: {', '.join(sorted(batches.unique()))}")
    print(f"{'config':<12}" + "".join(f"{a:>10}" for a in AXES) + f"{'share MAE':>11}")
    for name in args.configs:
        params = dataclasses.replace(ModelParams(), **CONFIGS[name])  # type: ignore[arg-type]
        parts = []
        for batch in sorted(batches.unique()):
            train, test = batches.ne(batch).to_numpy(), batches.eq(batch).to_numpy()
            model = ChatClassifier(params).fit(docs[train], labels[train])
            parts.append(model.predict(docs[test]))
        pred = pd.concat(parts).loc[labels.index]
        s = score_labels(labels, pred)
        print(f"{name:<12}" + "".join(f"{s[a]['macro_f1']:>10.3f}" for a in AXES) + f"{s['cause_share_mae_pp']:>11.2f}", flush=True)


if __name__ == "__main__":
    main()
