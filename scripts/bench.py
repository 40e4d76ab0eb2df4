"""Speed and memory of ``csclass label`` against a bare jieba pass and a jieba + fastText pipeline.

    pip install -e ".[bench]"          # fasttext-wheel, for the fastText peer
    python scripts/bench.py --conversations 200000 [--memory-check] [--skip-fasttext]

In one run, on the same generated message-level CSV (see scripts/benchdata.py:
about 12 messages per conversation), it measures

1. ``csclass label`` end to end, CSV in -> CSV out, with all cores;
2. the bare Python-jieba ``lcut`` over the same buyer text (default mode, HMM on;
   the buyer text is extracted beforehand, only the segmentation loop is timed);
3. a jieba + fastText supervised pipeline (one model per axis, trained on the same
   training data, not timed), CSV in -> group -> segment -> predict -> CSV out;
4. ``csclass label --workers 1``;

and prints conversations/s, MB/s of buyer text, peak memory (PSS summed over the
process tree: read every 2 s and whenever the tree's RSS reaches a new high) and the ratios the speed targets are stated in.
``--memory-check`` also labels 100,000 and 1,000,000 conversations and compares
their peak memory (flat memory).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from benchdata import write_chats  # noqa: E402


def _tree_pids(pid: int) -> list[int]:
    """A process and all its descendants."""
    pids, stack = [], [pid]
    while stack:
        p = stack.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        pids.append(p)
    return pids


def _rss_kb(pids: list[int]) -> int:
    """Summed resident size in KiB from /proc/PID/statm: cheap, but counts shared pages twice."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE_KB
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _pss_kb(pids: list[int]) -> int:
    """Memory of the processes in KiB: the sum of their PSS.

    PSS (proportional set size) splits pages shared between processes (a forked
    worker shares the parent's libraries and model) among them, so the sum is the
    memory the whole run really holds; summing RSS would count shared pages twice.
    """
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
#: Seconds between cheap RSS samples (/proc/PID/statm).
RSS_SECONDS = 0.2
#: Seconds between PSS samples when RSS is not rising. Reading smaps_rollup of
#: three ~400 MB processes takes about 60 ms of CPU; every 250 ms that was a
#: quarter of a core taken from the run being measured.
PSS_SECONDS = 2.0
#: While RSS rises to new highs, PSS is read at most this often.
PSS_RISING_SECONDS = 0.5


def run(cmd: list[str], label: str) -> dict[str, float]:
    """Run a command; return wall seconds and peak tree memory (PSS) in MB, and its JSON stdout if any.

    PSS is read every ``PSS_SECONDS`` and, in between, whenever the cheap RSS
    sum reaches a new high (at most every ``PSS_RISING_SECONDS``), so a short
    peak is not missed by the slow sampler.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = rss_high = 0
    last_pss = -PSS_SECONDS
    while True:
        pids = _tree_pids(proc.pid)
        rss = _rss_kb(pids)
        now = time.perf_counter()
        rising = rss > rss_high * 1.02 and now - last_pss >= PSS_RISING_SECONDS
        if rising or now - last_pss >= PSS_SECONDS:
            peak = max(peak, _pss_kb(pids))
            rss_high, last_pss = max(rss_high, rss), now
        try:
            proc.wait(timeout=RSS_SECONDS)  # returns as soon as the run ends
            break
        except subprocess.TimeoutExpired:
            continue
    wall = time.perf_counter() - start
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"{label} failed ({proc.returncode}):\n{err[-2000:]}")
    result = {"seconds": wall, "peak_rss_mb": peak / 1024}
    last = out.strip().splitlines()[-1] if out.strip() else ""
    if last.startswith("{"):
        result.update(json.loads(last))
    return result


JIEBA_PASS = r"""
import json, sys, time, logging
import jieba
jieba.setLogLevel(logging.ERROR)
texts = open(sys.argv[1], encoding="utf-8").read().split("\x1e")
jieba.lcut("预热")  # load the dictionary before timing
t = time.perf_counter()
for text in texts:
    jieba.lcut(text)
print(json.dumps({"timed_seconds": time.perf_counter() - t}))
"""

FASTTEXT_TRAIN = r"""
import sys, logging, jieba, pandas as pd, fasttext
jieba.setLogLevel(logging.ERROR)
sys.path.insert(0, sys.argv[3])
from csclass.reader import read_conversations
frame, _ = read_conversations(sys.argv[1])
text = [" ".join(jieba.lcut(t.replace("\n", " "))) for t in frame["buyer_text"]]
for axis, key in (("问题类型", "type"), ("原因类别", "cause"), ("责任方", "resp")):
    path = f"{sys.argv[2]}/{key}.txt"
    with open(path, "w", encoding="utf-8") as fh:
        for label, t in zip(frame[axis], text):
            fh.write(f"__label__{label} {t}\n")
    model = fasttext.train_supervised(path, epoch=25, lr=0.5, wordNgrams=2, dim=50, seed=0, thread=1, verbose=0)
    model.save_model(f"{sys.argv[2]}/{key}.bin")
"""

FASTTEXT_PIPELINE = r"""
import csv, json, sys, time, logging
import jieba, pandas as pd, fasttext
jieba.setLogLevel(logging.ERROR)
models = {k: fasttext.load_model(f"{sys.argv[3]}/{k}.bin") for k in ("type", "cause", "resp")}
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
buyer = frame[frame["发送方"] == "买家"].groupby("会话ID", sort=False)["内容"].agg(" ".join)
text = [" ".join(jieba.lcut(t)) for t in buyer]
out = pd.DataFrame({"会话ID": buyer.index, "买家内容": buyer.to_numpy()})
for key, model in models.items():
    # fasttext-wheel 0.9.2's predict() breaks on numpy 2; the C++ binding underneath does not.
    labels, probs = model.f.multilinePredict(text, 1, 0.0, "strict")
    out[key] = [l[0].replace("__label__", "") for l in labels]
    out[key + "_p"] = [p[0] for p in probs]
out.to_csv(sys.argv[2], index=False, encoding="utf-8-sig")
"""

FASTTEXT_DEV = r"""
import json, sys, logging, jieba, fasttext, pandas as pd
jieba.setLogLevel(logging.ERROR)
sys.path.insert(0, sys.argv[3])
from csclass.training import read_labelled
from csclass.evaluation import score_labels
data, _ = read_labelled([f"{sys.argv[1]}/chats.csv", f"{sys.argv[1]}/reviews.csv"])
text = [" ".join(jieba.lcut(t.replace("\n", " "))) for t in data["buyer_text"]]
pred = pd.DataFrame(index=data.index)
for axis, key in (("问题类型", "type"), ("原因类别", "cause"), ("责任方", "resp")):
    labels, _ = fasttext.load_model(f"{sys.argv[2]}/{key}.bin").f.multilinePredict(text, 1, 0.0, "strict")
    pred[axis] = [l[0].replace("__label__", "") for l in labels]
s = score_labels(data, pred)
print(json.dumps({a: s[a]["macro_f1"] for a in ("问题类型", "原因类别", "责任方")}, ensure_ascii=False))
"""


def buyer_texts(csv_path: Path, out: Path) -> tuple[int, float]:
    """Extract each conversation's buyer text (as csclass groups it); return count and MB."""
    from csclass.reader import read_conversations

    frame, _ = read_conversations(csv_path)
    texts = frame["buyer_text"].tolist()
    out.write_text("\x1e".join(texts), encoding="utf-8")
    return len(texts), sum(len(t.encode("utf-8")) for t in texts) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--memory-check", action="store_true", help="also label 100k and 1M conversations")
    parser.add_argument("--skip-fasttext", action="store_true")
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "eval" / "dev")
    parser.add_argument("--keep", type=Path, default=None, help="directory for the generated files (default: temporary)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="csclass-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    chats = work / "chats.csv"
    print(f"generating {args.conversations} conversations -> {chats}", file=sys.stderr)
    write_chats(chats, args.conversations)
    n, mb = buyer_texts(chats, work / "buyer.txt")
    size_mb = chats.stat().st_size / 1e6
    csclass = [sys.executable, "-m", "csclass.cli"]
    rows: dict[str, dict[str, float]] = {}
    print("1. csclass label, all cores", file=sys.stderr)
    rows["csclass label (all cores)"] = run(
        [*csclass, "label", str(chats), "-o", str(work / "out_all.csv"), "--workers", str(args.workers)], "csclass label"
    )
    print("2. bare Python jieba lcut", file=sys.stderr)
    jb = run([sys.executable, "-c", JIEBA_PASS, str(work / "buyer.txt")], "jieba pass")
    jb["seconds"] = jb.pop("timed_seconds")
    rows["Python jieba lcut only (timed loop)"] = jb
    ft_dev = None
    if not args.skip_fasttext:
        print("3. jieba + fastText pipeline (training first, not timed)", file=sys.stderr)
        run(
            [sys.executable, "-c", FASTTEXT_TRAIN, str(ROOT / "training_data" / "corpus.csv"), str(work), str(ROOT / "src")],
            "fastText training",
        )
        rows["jieba + fastText pipeline"] = run(
            [sys.executable, "-c", FASTTEXT_PIPELINE, str(chats), str(work / "out_ft.csv"), str(work)], "fastText pipeline"
        )
        if (args.dev / "chats.csv").exists():
            ft_dev = run([sys.executable, "-c", FASTTEXT_DEV, str(args.dev), str(work), str(ROOT / "src")], "fastText dev")
    print("4. csclass label --workers 1", file=sys.stderr)
    rows["csclass label (1 worker)"] = run(
        [*csclass, "label", str(chats), "-o", str(work / "out_one.csv"), "--workers", "1"], "csclass label -w1"
    )
    same = (work / "out_all.csv").read_bytes() == (work / "out_one.csv").read_bytes()

    print(
        f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"{n} conversations, {size_mb:.1f} MB CSV, {mb:.1f} MB buyer text"
    )
    print(f"{'run':<40}{'seconds':>9}{'conv/s':>10}{'MB/s':>8}{'peak mem MB':>13}")
    for name, r in rows.items():
        print(f"{name:<40}{r['seconds']:>9.1f}{n / r['seconds']:>10.0f}{mb / r['seconds']:>8.2f}{r['peak_rss_mb']:>13.0f}")
    all_cores = rows["csclass label (all cores)"]["seconds"]
    print("\nratios (targets in brackets):")
    print(f"  csclass end-to-end vs bare Python jieba pass: {jb['seconds'] / all_cores:.2f}x  [>= 3]")
    if "jieba + fastText pipeline" in rows:
        print(f"  csclass end-to-end vs jieba + fastText: {rows['jieba + fastText pipeline']['seconds'] / all_cores:.2f}x  [>= 1.0]")
    print(f"  all cores ({args.workers}) vs 1 worker: {rows['csclass label (1 worker)']['seconds'] / all_cores:.2f}x  [>= 1.7]")
    print(f"  outputs of all cores and 1 worker identical: {same}")
    if ft_dev:
        print("  fastText dev macro-F1: " + ", ".join(f"{k} {v:.3f}" for k, v in ft_dev.items() if k in ("问题类型", "原因类别", "责任方")))
        print("  (csclass dev macro-F1: python scripts/eval_dev.py)")
    if args.memory_check:
        peaks = {}
        for size in (100_000, 1_000_000):
            path = work / f"chats_{size}.csv"
            print(f"memory check: {size} conversations", file=sys.stderr)
            write_chats(path, size, seed=1)
            r = run([*csclass, "label", str(path), "-o", str(work / f"out_{size}.csv"), "--workers", str(args.workers)], "memory")
            peaks[size] = r["peak_rss_mb"]
            print(f"  {size:>9} conversations: {r['seconds']:.1f} s, peak memory (PSS) {r['peak_rss_mb']:.0f} MB")
            path.unlink()
        print(f"  1M vs 100k peak memory: {peaks[1_000_000] / peaks[100_000]:.2f}x  [<= 1.2, and 1M <= 1536 MB]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
