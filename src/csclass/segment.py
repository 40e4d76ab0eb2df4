"""Word segmentation with jieba's dictionary and algorithm.

A :class:`Segmenter` owns its tokenizer instance and user dictionary; nothing
touches jieba's global tokenizer, and importing this module loads nothing.
Two implementations of the same algorithm can run underneath: Python jieba's
``jieba.Tokenizer`` (the reference) and ``rjieba``, its Rust port, which gives
the same tokens with HMM off and is an order of magnitude faster. HMM is off in
both so the two agree; ``backend="auto"`` picks rjieba when it is installed.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

Backend = Literal["auto", "rjieba", "jieba"]


@lru_cache(maxsize=1)
def load_user_dictionary() -> tuple[tuple[str, int], ...]:
    """Return the shipped e-commerce user dictionary as (word, frequency) pairs."""
    text = resources.files("csclass").joinpath("data/userdict.txt").read_text("utf-8")
    entries = []
    for line in text.splitlines():
        parts = line.split()
        if parts:
            entries.append((parts[0], int(parts[1]) if len(parts) > 1 else 1000))
    return tuple(entries)


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    """Return the shipped stopword list."""
    text = resources.files("csclass").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


def _rjieba_tokenizer(words: tuple[tuple[str, int], ...]) -> Any:
    import rjieba

    tokenizer = rjieba.Jieba()
    for word, freq in words:
        tokenizer.add_word(word, freq, None)
    return tokenizer


def _jieba_tokenizer(words: tuple[tuple[str, int], ...]) -> Any:
    import jieba

    logging.getLogger("jieba").setLevel(logging.ERROR)
    jieba.setLogLevel(logging.ERROR)
    tokenizer = jieba.Tokenizer()
    for word, freq in words:
        tokenizer.add_word(word, freq)
    return tokenizer


class Segmenter:
    """Split Chinese text into words.

    Parameters
    ----------
    backend : {"auto", "rjieba", "jieba"}
        Which jieba implementation runs. ``auto`` prefers rjieba.
    user_words : iterable of (str, int), optional
        Extra dictionary entries added to the shipped user dictionary.

    Attributes
    ----------
    backend : str
        The implementation actually used.
    """

    def __init__(self, backend: Backend = "auto", user_words: tuple[tuple[str, int], ...] = ()):
        words = load_user_dictionary() + tuple(user_words)
        self.backend: str
        if backend in ("auto", "rjieba"):
            try:
                self._tokenizer = _rjieba_tokenizer(words)
                self.backend = "rjieba"
            except ImportError:
                if backend == "rjieba":
                    raise
                backend = "jieba"
        if backend == "jieba":
            self._tokenizer = _jieba_tokenizer(words)
            self.backend = "jieba"
        self.stopwords = load_stopwords()
        # Normalised text has no other whitespace than these.
        self._skip = self.stopwords | {" ", "\n", "\t", "\r", "\u3000"}

    def cut(self, text: str) -> list[str]:
        """Return all tokens of ``text`` (HMM off), whitespace dropped.

        Parameters
        ----------
        text : str
            Text to segment.

        Returns
        -------
        list of str
            Tokens in order.
        """
        if self.backend == "rjieba":
            tokens = self._tokenizer.cut(text, False)
        else:
            tokens = self._tokenizer.lcut(text, HMM=False)
        return [t for t in tokens if t.strip()]

    def words(self, text: str) -> list[str]:
        """Return the content tokens of ``text``: stopwords and punctuation removed.

        Parameters
        ----------
        text : str
            Normalised text.

        Returns
        -------
        list of str
            Tokens that carry meaning, in order.
        """
        stop = self._skip
        if self.backend == "rjieba":
            tokens = self._tokenizer.cut(text, False)
        else:
            tokens = self._tokenizer.lcut(text, HMM=False)
        return [t for t in tokens if t not in stop]
