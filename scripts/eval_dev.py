"""Score a model on the real-data development set in ../shared/eval/dev/.

The dev set (real chats and reviews labelled by the taxonomy) measures how a
model trained on our corpus generalises to real buyers. It is never used for
training.

    python scripts/eval_dev.py [--model models/default] [--dev ../shared/eval/dev] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from csclass.evaluation import score_labels
from csclass.labeling import Labeler
from csclass.taxonomy import AXES
from csclass.training import read_labelled

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"问题类型": 0.75, "原因类别": 0.65, "责任方": 0.60}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "eval" / "dev")
    parser.add_argument("--json", action="store_true", help="print all figures as JSON")
    args = parser.parse_args()
    files = [args.dev / "chats.csv", args.dev / "reviews.csv"]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        print(f"dev set not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    labeler = Labeler.from_dir(args.model)
    parts = []
    for path in files:
        data, _ = read_labelled([path])
        predicted = labeler.predict(data)
        parts.append((path.stem, data, predicted))
    gold = pd.concat([d for _, d, _ in parts], ignore_index=True)
    pred = pd.concat([p for _, _, p in parts], ignore_index=True)
    overall = score_labels(gold, pred)
    by_source = {name: score_labels(d, p) for name, d, p in parts}
    if args.json:
        print(json.dumps({"overall": overall, "by_source": by_source}, ensure_ascii=False, indent=2))
        return 0
    print(f"model: {args.model}  dev: {args.dev}  conversations: {overall['n']}")
    print(f"{'axis':<8}{'accuracy':>10}{'macro-F1':>10}{'target':>8}  " + "  ".join(f"{n} F1" for n in by_source))
    for axis in AXES:
        s = overall[axis]
        extra = "  ".join(f"{by_source[n][axis]['macro_f1']:.3f}" for n in by_source)
        print(f"{axis:<8}{s['accuracy']:>10.3f}{s['macro_f1']:>10.3f}{TARGETS[axis]:>8.2f}  {extra}")
    print(f"cause share MAE: {overall['cause_share_mae_pp']:.2f} pp (target <= 4.00)")
    for axis in AXES:
        per = overall[axis]["per_class"]
        print(f"{axis} per class F1: " + ", ".join(f"{k} {v['f1']:.2f}({v['support']})" for k, v in per.items()))
    share = (
        pd.DataFrame({"gold": gold["原因类别"].value_counts(normalize=True), "pred": pred["原因类别"].value_counts(normalize=True)})
        .fillna(0)
        .round(3)
    )
    print("cause shares:", share.to_dict(orient="index"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
