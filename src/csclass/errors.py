"""Errors raised by csclass.

Every error a user can fix is a :class:`CsclassError`. Its message is one
Chinese line naming the file, row or column and what to do; the CLI prints it
in red and exits with status 1. Any other exception is a bug.
"""

from __future__ import annotations


class CsclassError(Exception):
    """Base class of all errors a user can fix."""


class InputFileError(CsclassError):
    """The input path is missing, unreadable, empty or not a table."""


class EncodingDetectionError(CsclassError):
    """The input's text encoding could not be determined."""


class ColumnError(CsclassError):
    """A required column is missing or a column override names no column."""


class RoleValueError(CsclassError):
    """A sender-role cell holds a value that maps to neither buyer nor agent."""


class LabelValueError(CsclassError):
    """A label column holds a value outside the taxonomy."""


class ModelError(CsclassError):
    """A model directory is missing, corrupt, untrusted or incompatible."""


class OutputError(CsclassError):
    """The output cannot be written where it was asked for."""


class TrainingDataError(CsclassError):
    """Training data is missing labels or too small to train on."""
