"""Write tables safely: atomically, and inert when opened in a spreadsheet.

Outputs are written to a temporary file beside the target and renamed into
place, so an interrupted run leaves neither a partial output nor a stray
temporary file. Text cells a spreadsheet would read as a formula (leading
``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading apostrophe,
as the OWASP CSV-injection guidance recommends.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
OUTPUT_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Excel's cell limit; longer text is cut there (and counted) in .xlsx output only.
XLSX_CELL_LIMIT = 32_767


def neutralize_cell(value: Any) -> Any:
    """Return a text cell prefixed with ``'`` when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise every text column of a frame (a copy)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object or str(values.dtype) in ("string", "str"):
            try:
                starts = values.str.startswith(FORMULA_PREFIXES)
            except AttributeError:  # an object column holding no text at all
                continue
            risky = starts.fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[col] = values.where(~risky, "'" + values.astype(object).where(risky, ""))
    return out


def check_output_path(output: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse output paths that would overwrite an input or cannot be written.

    Raises
    ------
    OutputError
        The path is an input, a directory, has an unsupported suffix, or its
        directory does not exist or is not writable.
    """
    for source in inputs:
        if source.exists() and output.exists() and output.resolve() == source.resolve():
            raise OutputError(f"{output}: 输出路径与输入文件相同，输入文件不会被改写；请用 -o 指定另一个文件")
    if output.is_dir():
        raise OutputError(f"{output}: 这是一个目录；请用 -o 指定输出文件名")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{output}: 输出目录 {parent} 不存在；请先创建它")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{output}: 输出目录 {parent} 不可写；请换一个目录")


@contextlib.contextmanager
def atomic_path(output: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``output``; rename it into place on success.

    On any exception (including KeyboardInterrupt) the temporary file is removed
    and ``output`` is left as it was.
    """
    if output.exists() and not output.is_file():
        # A device or pipe (/dev/stdout, /dev/full): write straight to it; a
        # rename would replace the device node itself.
        try:
            yield output
        except OSError as exc:
            raise _output_error(output, exc) from None
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _output_error(output, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _output_error(output: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"{output}: 磁盘空间不足，未写出任何结果；请清理磁盘后重试")
    return OutputError(f"{output}: 写入失败（{exc.strerror or exc}）；请检查路径和权限")


class TableWriter:
    """Write frames chunk by chunk into one output table.

    Parameters
    ----------
    path : Path
        The final output path; its suffix chooses the format.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.suffix = path.suffix.lower()
        if not self.suffix and path.exists() and not path.is_file():
            self.suffix = ".csv"  # a device or pipe such as /dev/stdout
        if self.suffix not in OUTPUT_SUFFIXES:
            raise OutputError(f"{path}: 不支持的输出格式 “{path.suffix}”；请用 .csv、.xlsx 或 .parquet")
        self.rows = 0
        self.truncated_cells = 0
        self._fh: IO[str] | None = None
        self._parquet: Any = None
        self._xlsx: Any = None

    def open(self, tmp: Path) -> None:
        """Start writing to the temporary file ``tmp``."""
        self._tmp = tmp
        if self.suffix == ".csv":
            self._fh = tmp.open("w", encoding="utf-8-sig", newline="")
        elif self.suffix == ".xlsx":
            import xlsxwriter

            self._xlsx = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
            self._sheet = self._xlsx.add_worksheet("结果")

    def write(self, frame: pd.DataFrame) -> None:
        """Append a frame (same columns every call)."""
        safe = neutralize_frame(frame) if self.suffix != ".parquet" else frame
        if self.suffix == ".csv":
            assert self._fh is not None
            safe.to_csv(self._fh, index=False, header=self.rows == 0, lineterminator="\r\n")
        elif self.suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(safe, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(str(self._tmp), table.schema)
            self._parquet.write_table(table.cast(self._parquet.schema))
        else:
            self._write_xlsx(safe)
        self.rows += len(frame)

    def _write_xlsx(self, frame: pd.DataFrame) -> None:
        import math

        sheet = self._sheet
        if self.rows == 0:
            for j, col in enumerate(frame.columns):
                sheet.write_string(0, j, str(col))
        for i, row in enumerate(frame.itertuples(index=False), start=self.rows + 1):
            for j, value in enumerate(row):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(i, j, value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(i, j, value)
                else:
                    text = str(value)
                    if len(text) > XLSX_CELL_LIMIT:
                        text = text[:XLSX_CELL_LIMIT]
                        self.truncated_cells += 1
                    sheet.write_string(i, j, text)

    def close(self) -> None:
        """Finish the file (before it is renamed into place)."""
        if self._fh is not None:
            self._fh.close()
        if self._parquet is not None:
            self._parquet.close()
        if self._xlsx is not None:
            self._xlsx.close()


def write_table(frames: Iterable[pd.DataFrame], output: Path) -> TableWriter:
    """Write frames to ``output`` atomically.

    Parameters
    ----------
    frames : iterable of pandas.DataFrame
        Chunks with identical columns.
    output : Path
        Target; suffix .csv, .xlsx or .parquet.

    Returns
    -------
    TableWriter
        Its ``rows`` and ``truncated_cells`` describe what was written.
    """
    writer = TableWriter(output)
    with atomic_path(output) as tmp:
        writer.open(tmp)
        try:
            for frame in frames:
                writer.write(frame)
        finally:
            writer.close()
    return writer
