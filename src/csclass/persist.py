"""Save and load models without running code from the model file.

A model directory holds ``model.skops`` (the fitted :class:`ChatClassifier`,
written by skops.io, which stores objects as data and rebuilds only types it is
told to trust) and ``card.json`` (versions, label sets, metrics, training data
hash, and the model file's SHA-256). Loading checks the card, the file hash and
that the file contains only the types in :data:`TRUSTED_TYPES`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ModelError
from .model import ChatClassifier

MODEL_FILE = "model.skops"
CARD_FILE = "card.json"
#: Bumped when a saved model can no longer be read by this code.
FORMAT_VERSION = 1

#: Types a model file may contain beyond those skops trusts by default.
TRUSTED_TYPES: tuple[str, ...] = (
    "csclass.model.ChatClassifier",
    "csclass.defaults.ModelParams",
    "csclass.features.CharNgramVectorizer",
    "csclass.features.TokenNgramVectorizer",
    "csclass.lexicon.LexiconVectorizer",
)


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: ChatClassifier, card: dict[str, Any], directory: str | Path) -> Path:
    """Write a model and its card to ``directory``, replacing it atomically.

    Parameters
    ----------
    model : ChatClassifier
        A fitted model.
    card : dict
        Metadata; ``format_version``, ``csclass_version`` and ``model_sha256``
        are added.
    directory : str or Path
        Target directory.

    Returns
    -------
    Path
        The directory written.
    """
    import skops.io as sio

    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        sio.dump(model, staging / MODEL_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        card = {
            **card,
            "format_version": FORMAT_VERSION,
            "csclass_version": __version__,
            "model_sha256": file_sha256(staging / MODEL_FILE),
        }
        (staging / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            backup = target.with_name(f".{target.name}.old")
            shutil.rmtree(backup, ignore_errors=True)
            os.replace(target, backup)
            os.replace(staging, target)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def read_card(directory: str | Path) -> dict[str, Any]:
    """Read and check a model card.

    Raises
    ------
    ModelError
        The directory or card is missing, unreadable or from an incompatible version.
    """
    path = Path(directory)
    card_path = path / CARD_FILE
    if not path.is_dir():
        raise ModelError(f"{path}: 模型目录不存在；请先运行 csclass train，或用 --model 指定模型目录")
    if not card_path.is_file() or not (path / MODEL_FILE).is_file():
        raise ModelError(f"{path}: 缺少 {MODEL_FILE} 或 {CARD_FILE}；请用 csclass train 重新训练")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{card_path}: 模型说明文件损坏（{exc}）；请用 csclass train 重新训练") from None
    if not isinstance(card, dict) or card.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{card_path}: 模型格式版本 {card.get('format_version') if isinstance(card, dict) else '?'} "
            f"与本版 csclass（{__version__}，格式 {FORMAT_VERSION}）不兼容；请用 csclass train 重新训练"
        )
    return card


def load_model(directory: str | Path) -> tuple[ChatClassifier, dict[str, Any]]:
    """Load a model saved by :func:`save_model`.

    Parameters
    ----------
    directory : str or Path
        Model directory.

    Returns
    -------
    model : ChatClassifier
    card : dict

    Raises
    ------
    ModelError
        Missing, corrupt, tampered, untrusted or incompatible model.
    """
    import skops.io as sio

    path = Path(directory)
    card = read_card(path)
    model_path = path / MODEL_FILE
    if file_sha256(model_path) != card.get("model_sha256"):
        raise ModelError(f"{model_path}: 模型文件与说明文件中的 SHA-256 不符（文件损坏或被改动）；请重新训练或恢复原文件")
    try:
        untrusted = sio.get_untrusted_types(file=model_path)
    except Exception as exc:  # skops raises many types for corrupt zips
        raise ModelError(f"{model_path}: 模型文件损坏（{type(exc).__name__}）；请用 csclass train 重新训练") from None
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelError(f"{model_path}: 模型文件含有不受信任的类型 {', '.join(unexpected)}，已拒绝加载；只加载由 csclass train 生成的模型")
    try:
        model = sio.load(model_path, trusted=list(untrusted))
    except Exception as exc:
        raise ModelError(f"{model_path}: 模型文件无法读取（{type(exc).__name__}: {exc}）；请用 csclass train 重新训练") from None
    if not isinstance(model, ChatClassifier):
        raise ModelError(f"{model_path}: 文件中不是 csclass 模型；请用 csclass train 重新训练")
    return model, card
