"""Read chat exports (CSV or .xlsx) into conversations.

Two shapes are read:

* message level: one row per message with a conversation id, a sender role, the
  text and optionally a time;
* conversation level: one row per conversation (an id is optional) whose text is
  the buyer's.

Messages are grouped per conversation, in time order when every message of the
conversation has a valid time and in file order otherwise. Buyer and agent text
are kept apart. Every input row is accounted for in :class:`ReadSummary`.

Large message-level files are read in chunks. When the rows of a conversation
are contiguous (exports are sorted by conversation) a conversation never spans
two yielded chunks and memory stays flat. When a conversation's rows are
scattered, the whole file is read at once and the scattered ids are merged and
counted; a warning says so.

Clean UTF-8 files are parsed with Arrow's streaming CSV reader (several times faster
than pandas' parser); other encodings and files Arrow rejects go to pandas.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .columns import ColumnMap, map_columns, role_lookup
from .defaults import ReadOptions
from .errors import EncodingDetectionError, InputFileError, RoleValueError
from .normalize import remove_control_chars

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_BYTES = 1 << 20
#: Data rows per raw chunk when streaming a CSV.
RAW_CHUNK_ROWS = 200_000
#: The first chunk is small so that labelling starts (and workers get busy) early.
FIRST_CHUNK_ROWS = 20_000
#: Bytes per block of the Arrow CSV reader (about 20,000 chat messages).
ARROW_BLOCK_BYTES = 2 << 20
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Conversation-level columns every reader output has.
CONVERSATION_COLUMNS = (
    "conv_id",
    "start_time",
    "buyer_text",
    "agent_text",
    "n_messages",
    "first_response_s",
    "avg_response_s",
    "first_row",
)


@dataclass
class ReadSummary:
    """What reading a file did to its rows; filled while reading."""

    path: str
    encoding: str | None = None
    shape: str = ""
    columns: ColumnMap | None = None
    input_rows: int = 0
    conversations: int = 0
    set_aside: dict[str, int] = field(default_factory=dict)
    decode_error_rows: int = 0
    ragged_rows: int = 0
    bad_time_rows: int = 0
    empty_text_rows: int = 0
    merged_ids: int = 0
    control_char_rows: int = 0
    quote_rows: int = 0
    gbk_fallbacks: int = 0

    def warnings(self) -> list[str]:
        """Return the degradations seen, one Chinese sentence each."""
        out = []
        if self.decode_error_rows:
            out.append(f"{self.decode_error_rows} 行含无法按 {self.encoding} 解码的字节，已替换为 �")
        if self.gbk_fallbacks:
            out.append(f"UTF-8 文件中有 {self.gbk_fallbacks} 行是 GBK 编码，已按 GB18030 解码")
        if self.quote_rows:
            out.append(f"文件中有未闭合的双引号，已把引号当作普通字符读取；{self.quote_rows} 行内容含引号，请核对")
        if self.ragged_rows:
            out.append(f"{self.ragged_rows} 行字段数与表头不符，多余字段已并入内容列")
        if self.bad_time_rows:
            out.append(f"{self.bad_time_rows} 行时间无法解析，按文件顺序处理")
        if self.empty_text_rows:
            out.append(f"{self.empty_text_rows} 行内容为空")
        if self.merged_ids:
            out.append(f"{self.merged_ids} 个会话ID出现在不相邻的行中，已合并为一个会话")
        if self.control_char_rows:
            out.append(f"{self.control_char_rows} 行含控制字符，已删除这些字符")
        for reason, count in self.set_aside.items():
            out.append(f"{count} 行被搁置：{reason}")
        return out


def _looks_binary(sample: bytes) -> bool:
    """Many control bytes in something that is not UTF-8 text, or mostly NUL bytes.

    Chat text can hold stray control characters (a cell of ``\\x1f`` is legal
    UTF-8 text and is cleaned later), so control bytes alone do not make a file binary.
    """
    if sample.count(0) > len(sample) * 0.3:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if controls <= len(sample) * 0.05:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def detect_encoding(path: Path) -> str:
    """Guess the text encoding of a CSV file.

    UTF-8 (with or without BOM) is taken when the sample decodes as UTF-8 with
    at most a few bad bytes; then GB18030 (a superset of GBK, which Excel on
    Chinese Windows writes); then charset-normalizer's best guess.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    str
        A Python codec name.

    Raises
    ------
    InputFileError
        The file is binary, not text.
    EncodingDetectionError
        No encoding fits.
    """
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) == SAMPLE_BYTES:
        # Do not judge a multi-byte character cut at the sample's end.
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    if sample and _looks_binary(sample):
        raise InputFileError(f"{path}: 不是文本表格（看起来是二进制文件）；请导出为 CSV 或 .xlsx")
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            pass
    # Mostly one encoding with a few broken lines (a UTF-8 export with some GBK
    # lines pasted in): read it as that encoding; broken bytes become U+FFFD and
    # the affected rows are counted.
    lines = [line for line in sample.split(b"\n") if line.strip()]
    for encoding in ("utf-8", "gb18030"):
        bad = sum(1 for line in lines if not _decodes(line, encoding))
        if lines and bad / len(lines) < 0.5:
            return encoding
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None or best.chaos > 0.3:
        raise EncodingDetectionError(f"{path}: 无法识别文件编码；请用 --encoding 指定（如 utf-8、gbk、gb18030）")
    return str(best.encoding)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _is_utf8(path: Path, block: int = 16 << 20) -> bool:
    """Whether the whole file is valid UTF-8, checked block by block in constant memory.

    Arrow validates a block about twice as fast as Python's incremental
    decoder. The last character of a block (perhaps cut in two) is carried
    over to the next one.
    """
    import numpy as np
    import pyarrow as pa

    carry = b""
    with path.open("rb") as fh:
        while True:
            data = fh.read(block)
            buffer = carry + data
            cut = len(buffer)
            if data:
                cut -= 1
                while cut > 0 and buffer[cut] & 0xC0 == 0x80 and len(buffer) - cut < 4:
                    cut -= 1  # back over continuation bytes to the character's first byte
            piece, carry = buffer[:cut], buffer[cut:]
            offsets = pa.py_buffer(np.array([0, len(piece)], dtype=np.int64))
            text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(piece)])
            try:
                text.validate(full=True)
            except pa.ArrowInvalid:
                return False
            if not data:
                return True


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputFileError(f"{path}: 文件不存在；请检查路径")
    if path.is_dir():
        raise InputFileError(f"{path}: 这是一个目录，不是文件；请指定 CSV 或 .xlsx 文件")
    try:
        with path.open("rb") as fh:
            head = fh.read(1)
    except PermissionError:
        raise InputFileError(f"{path}: 没有读取权限；请检查文件权限（如 chmod +r）") from None
    except OSError as exc:
        raise InputFileError(f"{path}: 无法读取（{exc.strerror}）") from None
    if not head:
        raise InputFileError(f"{path}: 文件是空的；请导出包含表头和数据的文件")


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _LineDecoder(io.RawIOBase):
    """Bytes of a mostly-UTF-8 file, re-encoded line by line: GB18030 for lines that are not UTF-8.

    Exports sometimes hold a few GBK lines in a UTF-8 file. Decoding each bad
    line whole as GB18030 recovers it (a per-byte fallback would misread GBK
    byte pairs that happen to be valid UTF-8); such lines are counted on the
    reader, and bytes neither encoding knows become U+FFFD. The output is UTF-8.
    """

    def __init__(self, path: Path, owner: ChatReader) -> None:
        self._fh = path.open("rb")
        self._owner = owner
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def _next_line(self) -> bytes:
        raw = self._fh.readline()
        try:
            raw.decode("utf-8")
            return raw
        except UnicodeDecodeError:
            self._owner._gbk_fallbacks += 1
            return raw.decode("gb18030", errors="replace").encode("utf-8")

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        while len(self._buffer) < size:
            line = self._next_line()
            if not line:
                break
            self._buffer += line
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._fh.close()
        super().close()


class _RaggedFixer:
    """Fold the extra fields of a too-long CSV row into the text column."""

    def __init__(self, n_fields: int, text_index: int) -> None:
        self.n_fields = n_fields
        self.text_index = text_index
        self.count = 0

    def __call__(self, fields: list[str]) -> list[str]:
        self.count += 1
        extra = len(fields) - self.n_fields
        t = self.text_index
        return [*fields[:t], ",".join(fields[t : t + extra + 1]), *fields[t + extra + 1 :]]


class ChatReader:
    """Open a chat export and yield its conversations in chunks.

    Parameters
    ----------
    path : str or Path
        CSV or .xlsx file.
    options : ReadOptions
        Encoding and column overrides.

    Attributes
    ----------
    summary : ReadSummary
        Row accounting, filled as chunks are consumed.
    """

    def __init__(self, path: str | Path, options: ReadOptions | None = None) -> None:
        self.path = Path(path)
        self.options = options or ReadOptions()
        self._tolerant = False
        self._literal_quotes = False
        self._arrow = False
        self._gbk_fallbacks = 0
        self._mixed = False
        _check_path(self.path)
        self.summary = ReadSummary(path=str(self.path))
        self.is_excel = self.path.suffix.lower() in EXCEL_SUFFIXES
        if self.path.suffix.lower() == ".xls":
            raise InputFileError(f"{self.path}: 不支持旧版 .xls；请在 Excel 中另存为 .xlsx 或 CSV")
        if self.is_excel:
            self.encoding = None
            self._frame: pd.DataFrame | None = self._read_excel()
            header = [str(c) for c in self._frame.columns]
        else:
            self._frame = None
            self.encoding = self._resolve_encoding()
            header = self._read_header()
        self.summary.encoding = self.encoding
        self.columns = map_columns(header, self.options, self.path.name)
        self.header = header
        self.summary.columns = self.columns
        self.summary.shape = "message" if self.columns.message_level else "conversation"
        self._roles = role_lookup(self.options.role_map)

    # -- raw table -----------------------------------------------------------
    def _resolve_encoding(self) -> str:
        if self.options.encoding:
            try:
                return codecs.lookup(self.options.encoding).name
            except LookupError:
                raise EncodingDetectionError(f"{self.path}: 不认识的编码 “{self.options.encoding}”；可用 utf-8、gbk、gb18030") from None
        encoding = detect_encoding(self.path)
        if encoding == "utf-8":
            self._mixed = not _is_utf8(self.path)
        return encoding

    def _open_text(self) -> Any:
        return self.path.open("r", encoding=self.encoding, errors="replace", newline="")

    def _open_binary(self) -> tuple[Any, str]:
        """The file as bytes for pandas, and the encoding pandas should decode them with.

        pandas decodes bytes in C; handing it a text handle makes it re-encode
        every block in Python, which grows quadratically on large files.
        """
        if self.encoding in ("utf-8", "utf-8-sig") and self._mixed:
            return io.BufferedReader(_LineDecoder(self.path, self)), "utf-8-sig"
        return self.path.open("rb"), str(self.encoding)

    def _read_header(self) -> list[str]:
        with self._open_text() as fh:
            first = fh.readline()
            if not first.strip():
                raise InputFileError(f"{self.path}: 第 1 行没有表头；请导出包含表头的文件")
            self._delimiter = _sniff_delimiter(first)
            fh.seek(0)
            row = next(csv.reader(fh, delimiter=self._delimiter))
        header = [remove_control_chars(c).strip().lstrip("\ufeff") for c in row]
        if len(header) < 1 or not any(header):
            raise InputFileError(f"{self.path}: 第 1 行没有表头；请导出包含表头的文件")
        return header

    def _read_excel(self) -> pd.DataFrame:
        import pandas as pd

        try:
            frame = pd.read_excel(self.path, sheet_name=self.options.sheet, dtype=str, keep_default_na=False)
        except (zipfile.BadZipFile, KeyError, EOFError) as exc:
            raise InputFileError(f"{self.path}: 不是有效的 .xlsx 文件（{exc}）；请在 Excel 中重新另存") from None
        except ValueError as exc:
            raise InputFileError(f"{self.path}: 无法读取工作表（{exc}）；请用 --sheet 指定工作表") from None
        frame = frame.fillna("")
        frame.columns = [str(c).strip() for c in frame.columns]
        if frame.empty and len(frame.columns) == 0:
            raise InputFileError(f"{self.path}: 工作表是空的；请导出包含表头和数据的文件")
        return frame

    def _raw_chunks(self, usecols: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """Yield the table as string DataFrames with a ``_row`` column (sheet row number)."""
        import pandas as pd

        if self._frame is not None:
            frame = self._frame if usecols is None else self._frame[usecols]
            frame = frame.copy()
            frame["_row"] = range(2, len(frame) + 2)
            yield frame
            return
        if self._arrow:
            yield from self._arrow_chunks(usecols)
            return
        fixer = _RaggedFixer(len(self.header), self.header.index(self.columns.text))
        kwargs: dict[str, Any] = dict(
            sep=self._delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            iterator=True,
            names=self.header,
            header=0,
            skip_blank_lines=True,
        )
        if self._tolerant:
            # The python engine calls ``fixer`` for rows with too many fields.
            kwargs.update(engine="python", on_bad_lines=fixer)
            if self._literal_quotes:
                kwargs.update(quoting=csv.QUOTE_NONE)
        else:
            kwargs.update(engine="c", usecols=usecols)
        start = 2
        handle, encoding = self._open_binary()
        kwargs.update(encoding=encoding, encoding_errors="replace")
        with handle as fh:
            try:
                for chunk in _chunks(pd.read_csv(fh, **kwargs)):
                    if self._tolerant:
                        chunk = chunk.fillna("")  # short rows are padded with NaN
                    chunk["_row"] = range(start, start + len(chunk))
                    start += len(chunk)
                    yield chunk if usecols is None else chunk[[*usecols, "_row"]]
            except pd.errors.ParserError as exc:
                if not self._tolerant:
                    raise
                raise InputFileError(
                    f"{self.path}: 第 {start} 行附近无法解析（{str(exc).splitlines()[0]}）；常见原因是引号未闭合，请检查该行的双引号"
                ) from None
        if usecols is None:
            self.summary.ragged_rows = fixer.count

    def _arrow_chunks(self, usecols: list[str] | None) -> Iterator[pd.DataFrame]:
        """Stream a clean UTF-8 CSV with Arrow's reader, in chunks of the same rows as ``_chunks``."""
        import pyarrow as pa
        from pyarrow import csv as pacsv

        names = self.header
        reader = pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=ARROW_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=self._delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                include_columns=usecols or names,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        start = 2
        buffer = None
        size = min(FIRST_CHUNK_ROWS, RAW_CHUNK_ROWS)
        for batch in reader:
            table = pa.Table.from_batches([batch])
            buffer = table if buffer is None else pa.concat_tables([buffer, table])
            while buffer.num_rows >= size:
                chunk = buffer.slice(0, size).to_pandas()
                buffer = buffer.slice(size)
                chunk["_row"] = range(start, start + len(chunk))
                start += len(chunk)
                yield chunk
                size = RAW_CHUNK_ROWS
        if buffer is not None and buffer.num_rows:
            chunk = buffer.to_pandas()
            chunk["_row"] = range(start, start + len(chunk))
            yield chunk

    def _arrow_applies(self) -> bool:
        """Arrow's CSV reader is used for UTF-8 files with distinct, non-empty column names."""
        return (
            self.encoding in ("utf-8", "utf-8-sig") and not self._mixed and all(self.header) and len(set(self.header)) == len(self.header)
        )

    def _scan(self) -> tuple[bool, int]:
        """Check the table parses; tell whether conversation ids are contiguous; count rows.

        A first pass over one column. A clean UTF-8 file is read with Arrow's
        fast CSV reader; any file it rejects goes to pandas' parser, and a row
        with too many fields makes that fail too: the table is then read with
        the tolerant parser.
        """
        import pandas as pd

        self._tolerant = False
        self._literal_quotes = False
        key = self.columns.id or self.columns.text
        if self._frame is not None:
            return _contiguous(self._frame[[key]], key)
        if self._arrow_applies():
            import pyarrow as pa

            self._arrow = True
            try:
                return _contiguous(self._raw_chunks(usecols=[key]), key)
            except pa.ArrowInvalid:
                self._arrow = False
        try:
            return _contiguous(self._raw_chunks(usecols=[key]), key)
        except (pd.errors.ParserError, ValueError) as exc:
            self._tolerant = True
            # An unclosed quote swallows the rest of the file: read quotes as text instead.
            self._literal_quotes = "EOF inside string" in str(exc)
        try:
            return _contiguous(self._raw_chunks(usecols=[key]), key)
        except pd.errors.ParserError:
            if self._literal_quotes:
                raise
            self._literal_quotes = True
            return _contiguous(self._raw_chunks(usecols=[key]), key)

    # -- conversations -------------------------------------------------------
    def iter_conversations(self) -> Iterator[pd.DataFrame]:
        """Yield conversation frames, in input order, whole conversations only.

        Yields
        ------
        pandas.DataFrame
            One row per conversation: the columns in ``CONVERSATION_COLUMNS``
            plus recognised extras (labels, satisfaction, ...).
        """
        contiguous, rows = self._scan()
        self._gbk_fallbacks = 0  # count the main pass only
        if rows == 0:
            raise InputFileError(f"{self.path}: 只有表头，没有数据行；请导出包含聊天记录的文件")
        if not self.columns.message_level:
            for chunk in self._raw_chunks():
                self._count_rows(chunk)
                yield self._conversation_rows(chunk)
            return
        if self._frame is not None or not contiguous:
            import pandas as pd

            whole = pd.concat(list(self._raw_chunks()), ignore_index=True)
            self._count_rows(whole)
            yield from self._group_messages(whole, contiguous=False)
            return
        carry = None
        for chunk in self._raw_chunks():
            self._count_rows(chunk)
            if carry is not None:
                import pandas as pd

                chunk = pd.concat([carry, chunk], ignore_index=True)
            ids = chunk[self.columns.id].str.strip()
            last = ids.iloc[-1] if len(ids) else None
            tail = ids.eq(last)
            # The last conversation may continue in the next chunk.
            first_tail = len(ids) - int(tail[::-1].cummin().sum())
            carry = chunk.iloc[first_tail:]
            head = chunk.iloc[:first_tail]
            if len(head):
                yield from self._group_messages(head, contiguous=True)
        if carry is not None and len(carry):
            yield from self._group_messages(carry, contiguous=True)

    def read(self) -> pd.DataFrame:
        """Read every conversation into one frame."""
        import pandas as pd

        frames = list(self.iter_conversations())
        if not frames:
            return pd.DataFrame(columns=list(CONVERSATION_COLUMNS))
        return pd.concat(frames, ignore_index=True)

    def _count_rows(self, chunk: pd.DataFrame) -> None:
        self.summary.input_rows += len(chunk)
        self.summary.gbk_fallbacks = self._gbk_fallbacks
        if self._literal_quotes:
            self.summary.quote_rows += int(chunk[self.columns.text].str.contains('"', regex=False).sum())
        # A file that decodes whole (checked, or parsed by Arrow, which validates
        # UTF-8) has no replaced bytes: a U+FFFD in it is the sender's own text.
        decoded_whole = self._arrow or (self.encoding == "utf-8" and not self._mixed)
        if self.encoding and not decoded_whole:
            replaced = chunk.drop(columns="_row").apply(lambda c: c.str.contains("\ufffd", regex=False))
            self.summary.decode_error_rows += int(replaced.any(axis=1).sum())

    def _clean_text(self, text: pd.Series) -> pd.Series:
        has_control = text.str.contains(r"[\x00-\x08\x0b-\x1f\x7f]", regex=True)
        n = int(has_control.sum())
        if n:
            self.summary.control_char_rows += n
            text = text.where(~has_control, text.map(remove_control_chars))
        return text

    def _parse_times(self, chunk: pd.DataFrame) -> pd.Series:
        import pandas as pd

        col = self.columns.time
        if col is None:
            return pd.Series(pd.NaT, index=chunk.index, dtype="datetime64[ns]")
        raw = chunk[col].str.strip()
        # Exports nearly always use one layout; parsing it directly is many times
        # faster than format="mixed", which then reads only what it missed.
        times = pd.to_datetime(raw, errors="coerce", format="%Y-%m-%d %H:%M:%S")
        missed = times.isna() & raw.ne("")
        if missed.any():
            times = times.astype("datetime64[ns]")
            times[missed] = pd.to_datetime(raw[missed], errors="coerce", format="mixed").astype("datetime64[ns]")
        bad = times.isna() & raw.ne("")
        self.summary.bad_time_rows += int(bad.sum())
        return times.astype("datetime64[ns]")

    def _extras(self, chunk: pd.DataFrame, key: pd.Series) -> dict[str, pd.Series]:
        out = {}
        for name, col in self.columns.extras.items():
            values = chunk[col].str.strip()
            values = values.where(values.ne(""))
            out[name] = values.groupby(key, sort=False).first()
        return out

    def _conversation_rows(self, chunk: pd.DataFrame) -> pd.DataFrame:
        import pandas as pd

        text = self._clean_text(chunk[self.columns.text])
        self.summary.empty_text_rows += int(text.str.strip().eq("").sum())
        conv_id = chunk[self.columns.id].str.strip() if self.columns.id else chunk["_row"].map(str)
        out = pd.DataFrame(
            {
                "conv_id": conv_id.to_numpy(),
                "start_time": self._parse_times(chunk).to_numpy(),
                "buyer_text": text.to_numpy(),
                "agent_text": "",
                "n_messages": 1,
                "first_response_s": float("nan"),
                "avg_response_s": float("nan"),
                "first_row": chunk["_row"].to_numpy(),
            }
        )
        for name, col in self.columns.extras.items():
            values = chunk[col].str.strip()
            out[name] = values.where(values.ne("")).to_numpy()
        self.summary.conversations += len(out)
        return out

    def _group_messages(self, chunk: pd.DataFrame, contiguous: bool) -> Iterator[pd.DataFrame]:
        import numpy as np
        import pandas as pd

        id_col, role_col = self.columns.id, self.columns.role
        assert id_col is not None and role_col is not None
        ids = chunk[id_col].str.strip()
        missing_id = ids.eq("")
        if missing_id.any():
            reason = "会话ID为空"
            self.summary.set_aside[reason] = self.summary.set_aside.get(reason, 0) + int(missing_id.sum())
            chunk, ids = chunk[~missing_id], ids[~missing_id]
        roles_raw = chunk[role_col].str.strip()
        roles = roles_raw.str.lower().map(self._roles)
        unknown = roles.isna()
        if unknown.any():
            pos = int(np.flatnonzero(unknown.to_numpy())[0])
            value = roles_raw.iloc[pos]
            row = int(chunk["_row"].iloc[pos])
            raise RoleValueError(
                f"{self.path.name} 第 {row} 行: 发送方 “{value}” 既不是买家也不是客服；"
                f"请用 --role-map '{value}=buyer'（或 =agent、=skip）指明它的角色"
            )
        skip = roles.eq("skip")
        if skip.any():
            reason = "发送方被 --role-map 指定为 skip"
            self.summary.set_aside[reason] = self.summary.set_aside.get(reason, 0) + int(skip.sum())
            chunk, ids, roles = chunk[~skip], ids[~skip], roles[~skip]
        if chunk.empty:
            return
        order = pd.Series(pd.factorize(ids)[0], index=chunk.index)
        if not contiguous:
            change = order.ne(order.shift())
            self.summary.merged_ids += int(change.groupby(order).sum().gt(1).sum())
        text = self._clean_text(chunk[self.columns.text])
        self.summary.empty_text_rows += int(text.str.strip().eq("").sum())
        times = self._parse_times(chunk)
        all_timed = times.notna().groupby(order).transform("all")
        msgs = pd.DataFrame(
            {
                "order": order,
                "t": times.where(all_timed),
                "row": chunk["_row"],
                "buyer": roles.eq("buyer"),
                "text": text,
                "time": times,
            }
        )
        msgs = msgs.sort_values(["order", "t", "row"], kind="stable", na_position="last")
        g = msgs.groupby("order", sort=True)
        buyer = _join_by_key(msgs[msgs["buyer"]])
        agent = _join_by_key(msgs[~msgs["buyer"]])
        first_ids = ids.groupby(order, sort=True).first()
        frame = pd.DataFrame(index=first_ids.index)
        frame["conv_id"] = first_ids
        frame["start_time"] = g["time"].min()
        frame["buyer_text"] = buyer.reindex(frame.index, fill_value="")
        frame["agent_text"] = agent.reindex(frame.index, fill_value="")
        frame["n_messages"] = g.size()
        first_resp, avg_resp = _response_times(msgs)
        frame["first_response_s"] = first_resp.reindex(frame.index)
        frame["avg_response_s"] = avg_resp.reindex(frame.index)
        frame["first_row"] = g["row"].min()
        chunk_order = order.loc[chunk.index]
        for name, values in self._extras(chunk, chunk_order).items():
            frame[name] = values.reindex(frame.index)
        frame = frame.reset_index(drop=True)
        self.summary.conversations += len(frame)
        yield frame


def _chunks(table: Any) -> Iterator[pd.DataFrame]:
    """Read a pandas ``TextFileReader``: a small first chunk, then ``RAW_CHUNK_ROWS`` at a time."""
    size = min(FIRST_CHUNK_ROWS, RAW_CHUNK_ROWS)
    with table:
        while True:
            try:
                chunk = table.get_chunk(size)
            except StopIteration:
                return
            yield chunk
            size = RAW_CHUNK_ROWS


def _join_by_key(msgs: pd.DataFrame) -> pd.Series:
    """Join the ``text`` of messages sorted by ``order`` with newlines, one string per order key.

    Slicing one Python list is many times faster than a groupby aggregation
    over Arrow-backed strings, which calls back into Python per group.
    """
    import numpy as np
    import pandas as pd

    keys = msgs["order"].to_numpy()
    texts = msgs["text"].tolist()
    if not texts:
        return pd.Series([], index=pd.Index([], dtype=keys.dtype), dtype=object)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = [*starts[1:].tolist(), len(texts)]
    joined = ["\n".join(texts[a:b]) for a, b in zip(starts.tolist(), ends, strict=True)]
    return pd.Series(joined, index=keys[starts], dtype=object)


def _contiguous(chunks: Iterator[pd.DataFrame] | pd.DataFrame, key: str) -> tuple[bool, int]:
    """Tell whether equal values of column ``key`` stand in adjacent rows only; count rows."""
    rows = 0
    seen: set[str] = set()
    previous: str | None = None
    if not isinstance(chunks, Iterator):
        chunks = iter([chunks])
    result = True
    for chunk in chunks:
        rows += len(chunk)
        ids = chunk[key].str.strip()
        starts = ids[ids.ne(ids.shift())].tolist()
        if starts and starts[0] == previous:
            starts = starts[1:]
        for value in starts:
            if value in seen:
                result = False
            seen.add(value)
        if len(ids):
            previous = ids.iloc[-1]
    return result, rows


def _response_times(msgs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per conversation: first-response seconds and mean response seconds.

    A response is an agent message that follows one or more buyer messages; its
    time is measured from the first of those buyer messages.
    """
    import pandas as pd

    timed = msgs.dropna(subset=["time"])
    if timed.empty:
        empty = pd.Series(dtype=float)
        return empty, empty
    prev_buyer = timed["buyer"].groupby(timed["order"]).shift(fill_value=False)
    new_run = timed["buyer"] & ~prev_buyer
    run_start = timed["time"].where(new_run).groupby(timed["order"]).ffill()
    reply = ~timed["buyer"] & prev_buyer.astype(bool)
    delays = (timed["time"] - run_start)[reply].dt.total_seconds()
    delays = delays[delays >= 0]
    by_conv = delays.groupby(timed["order"][delays.index])
    return by_conv.first(), by_conv.mean()


def read_conversations(path: str | Path, options: ReadOptions | None = None) -> tuple[pd.DataFrame, ReadSummary]:
    """Read a chat export into one row per conversation.

    Parameters
    ----------
    path : str or Path
        CSV or .xlsx file, message or conversation level.
    options : ReadOptions, optional
        Encoding and column overrides.

    Returns
    -------
    conversations : pandas.DataFrame
        One row per conversation.
    summary : ReadSummary
        Row accounting and warnings.
    """
    reader = ChatReader(path, options)
    frame = reader.read()
    return frame, reader.summary
