"""Defaults defined once and referenced by the library and the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[-1]


def default_model_dir() -> Path:
    """Return the shipped model directory.

    ``$CSCLASS_MODEL`` wins; then ``models/default`` of the source checkout the
    package is installed from (an editable install); then ``./models/default``.
    """
    env = os.environ.get("CSCLASS_MODEL")
    if env:
        return Path(env)
    return _first_existing(_REPO_ROOT / "models" / "default", Path("models") / "default")


def default_training_dir() -> Path:
    """Return the shipped training corpus directory (``training_data/``)."""
    return _first_existing(_REPO_ROOT / "training_data", Path("training_data"))


@dataclass(frozen=True)
class ReadOptions:
    """How to read a chat export.

    Attributes
    ----------
    encoding : str or None
        Text encoding of a CSV file; None detects it.
    id_col, role_col, text_col, time_col : str or None
        Column names overriding header recognition.
    role_map : tuple of (value, role) pairs
        Extra sender-role values: role is ``buyer``, ``agent`` or ``skip``.
    sheet : str or int
        Worksheet of an .xlsx file.
    """

    encoding: str | None = None
    id_col: str | None = None
    role_col: str | None = None
    text_col: str | None = None
    time_col: str | None = None
    role_map: tuple[tuple[str, str], ...] = ()
    sheet: str | int = 0


@dataclass(frozen=True)
class ModelParams:
    """Hyper-parameters of :class:`csclass.model.ChatClassifier`."""

    word_ngram_max: int = 2
    char_ngram_min: int = 1
    char_ngram_max: int = 3
    min_df: int = 2
    max_features_word: int = 200_000
    max_features_char: int = 300_000
    agent_weight: float = 0.3
    first_weight: float = 0.5
    #: Weight of the lexicon-class block (0 leaves it out).
    lexicon_weight: float = 1.0
    C: float = 100.0
    #: Max characters of buyer text used for features (longer text is cut, documented).
    max_chars: int = 4000


@dataclass(frozen=True)
class Defaults:
    """Values shared by the library and the CLI."""

    #: A conversation is flagged 需复核 when any axis's confidence is below this.
    review_threshold: float = 0.5
    random_state: int = 0
    cv_folds: int = 5
    #: Evidence tokens (依据) reported per conversation.
    evidence_tokens: int = 4
    #: Conversations per chunk when labelling a file.
    chunk_conversations: int = 20_000
    model: ModelParams = field(default_factory=ModelParams)


DEFAULTS = Defaults()
