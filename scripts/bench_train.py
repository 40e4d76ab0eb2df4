"""Training time and peak memory as the labelled data grows.

    python scripts/bench_train.py [--sizes 5000 50000 200000]

For each size, a labelled message-level file is made by resampling the corpus
(scripts/benchdata.py, labels kept), then ``csclass train --folds 0`` runs in a
fresh process; wall time and peak memory (PSS summed over the process tree) are printed with the
growth factor between consecutive sizes.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from bench import run  # noqa: E402
from benchdata import write_chats  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000, 200_000])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="csclass-bench-train-"))
    results = []
    for size in args.sizes:
        data = write_chats(work / f"train_{size}.csv", size, labels=True, seed=2)
        r = run(
            [sys.executable, "-m", "csclass.cli", "train", "--data", str(data), "--out", str(work / f"m{size}"), "--folds", "0"],
            f"train {size}",
        )
        results.append((size, r["seconds"], r["peak_rss_mb"]))
        print(f"{size:>8} conversations: {r['seconds']:7.1f} s, peak memory (PSS) {r['peak_rss_mb']:6.0f} MB", flush=True)
        data.unlink()
    for (n0, t0, m0), (n1, t1, m1) in itertools.pairwise(results):
        print(f"{n0} -> {n1} ({n1 / n0:.0f}x data): time {t1 / t0:.2f}x, memory {m1 / m0:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
