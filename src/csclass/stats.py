"""Statistics behind the monthly report: keywords, quantification, significance.

* :func:`distinctive_keywords`: log-odds ratio with an informative Dirichlet
  prior (Monroe, Colaresi & Quinn 2008) of a group's tokens against the rest.
* :func:`adjusted_shares`: adjusted classify-and-count. With ``M[i, j]`` the
  cross-validated probability that a conversation of true class ``i`` is
  predicted ``j``, observed predicted shares ``q`` satisfy ``q = Mᵀ p``; the
  true shares ``p`` are the non-negative least-squares solution, normalised.
  The 95% interval comes from a bootstrap that resamples both the month's
  predictions (multinomial) and each confusion row (Dirichlet).
* :func:`two_proportion_test`: two-sided z-test of a change in share.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np


def distinctive_keywords(group: Iterable[Sequence[str]], rest: Iterable[Sequence[str]], k: int = 8, min_count: int = 2) -> list[str]:
    """Return the ``k`` tokens most distinctive of ``group`` against ``rest``.

    Parameters
    ----------
    group, rest : iterable of token sequences
        Documents of the group and of everything else.
    k : int
        How many tokens to return.
    min_count : int
        Minimum count of a token in the group.

    Returns
    -------
    list of str
        Tokens by decreasing z-scored log-odds; only positive scores.
    """
    g: Counter[str] = Counter()
    r: Counter[str] = Counter()
    for doc in group:
        g.update(doc)
    for doc in rest:
        r.update(doc)
    prior = g + r
    a0 = sum(prior.values()) or 1
    # Scale the prior to a modest pseudo-count so frequent words do not dominate.
    alpha_total = min(a0, 1000.0)
    n_g, n_r = sum(g.values()), sum(r.values())
    scores = []
    for word, count in g.items():
        if count < min_count:
            continue
        a_w = alpha_total * prior[word] / a0
        y_g, y_r = count, r.get(word, 0)
        lo_g = math.log((y_g + a_w) / (n_g + alpha_total - y_g - a_w))
        lo_r = math.log((y_r + a_w) / (n_r + alpha_total - y_r - a_w))
        var = 1.0 / (y_g + a_w) + 1.0 / (y_r + a_w)
        z = (lo_g - lo_r) / math.sqrt(var)
        if z > 0:
            scores.append((z, word))
    scores.sort(key=lambda t: (-t[0], t[1]))
    return [w for _, w in scores[:k]]


def _solve(conf_rows: np.ndarray, observed: np.ndarray) -> np.ndarray:
    from scipy.optimize import nnls

    p, _ = nnls(conf_rows.T, observed)
    total = p.sum()
    return p / total if total > 0 else observed


def adjusted_shares(
    predicted_counts: np.ndarray,
    confusion: np.ndarray,
    n_boot: int = 500,
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Correct predicted label shares for the model's known confusion.

    Parameters
    ----------
    predicted_counts : ndarray of shape (k,)
        How many conversations the model put in each class this month.
    confusion : ndarray of shape (k, k)
        Cross-validated confusion counts, rows true, columns predicted.
    n_boot : int
        Bootstrap replicates for the interval.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    shares : ndarray of shape (k,)
        Adjusted shares, summing to 1.
    ci95 : ndarray of shape (k, 2)
        2.5% and 97.5% bootstrap percentiles.
    """
    counts = np.asarray(predicted_counts, dtype=float)
    confusion = np.asarray(confusion, dtype=float)
    n = counts.sum()
    if n == 0:
        zeros = np.zeros_like(counts)
        return zeros, np.zeros((len(counts), 2))
    rows = (confusion + 0.5) / (confusion + 0.5).sum(axis=1, keepdims=True)
    shares = _solve(rows, counts / n)
    rng = np.random.default_rng(random_state)
    boots = np.empty((n_boot, len(counts)))
    q = counts / n
    for b in range(n_boot):
        sample = rng.multinomial(int(n), q) / n
        conf_b = np.vstack([rng.dirichlet(row + 0.5) for row in confusion])
        boots[b] = _solve(conf_b, sample)
    ci = np.percentile(boots, [2.5, 97.5], axis=0).T
    return shares, ci


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value of H0: share x1/n1 equals share x2/n2 (pooled z-test).

    Returns None when either sample is empty or the pooled share is 0 or 1.
    """
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return None
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))
