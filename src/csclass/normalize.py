"""Text normalisation shared by training and labelling.

``normalize_text`` folds full-width forms to half-width (NFKC), lower-cases
Latin letters, and replaces values that carry no topic (URLs, phone numbers,
order numbers, amounts, long numbers, masked fields such as ``[订单号]``) by
placeholder tokens. Emoji and bracketed emoticons such as ``[微笑]`` are kept:
they carry tone. Agent boilerplate (greetings, "请稍等", sign-offs) is removed
from agent text by ``strip_boilerplate`` so the agent block carries substance.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: Placeholder tokens. ASCII words, so segmenters keep each as one token.
URL_TOKEN: Final = " xurl "
PHONE_TOKEN: Final = " xphone "
ORDER_TOKEN: Final = " xorder "
MONEY_TOKEN: Final = " xmoney "
NUMBER_TOKEN: Final = " xnum "
PLACEHOLDER_TOKENS: Final = frozenset(t.strip() for t in (URL_TOKEN, PHONE_TOKEN, ORDER_TOKEN, MONEY_TOKEN, NUMBER_TOKEN)) | {
    "xname",
    "xaddr",
    "xdate",
    "xsite",
    "xmail",
    "xid",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u4e00-\u9fff，。！？]+", re.IGNORECASE)
# Masked fields as exports write them: [订单号], [金额x], <手机号>, {姓名}.
_MASK = re.compile(r"[\[<{【](订单|金额|价格|数字|姓名|名字|地址|站点|链接|网址|电话|手机|日期|时间|邮箱|身份证)[^\]>}】]{0,6}[\]>}】]")
_MASK_TOKENS: Final = {
    "订单": " xorder ",
    "金额": MONEY_TOKEN,
    "价格": MONEY_TOKEN,
    "数字": NUMBER_TOKEN,
    "姓名": " xname ",
    "名字": " xname ",
    "地址": " xaddr ",
    "站点": " xsite ",
    "链接": URL_TOKEN,
    "网址": URL_TOKEN,
    "电话": PHONE_TOKEN,
    "手机": PHONE_TOKEN,
    "日期": " xdate ",
    "时间": " xdate ",
    "邮箱": " xmail ",
    "身份证": " xid ",
}
_MONEY = re.compile(r"(?:[¥$]\s*\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*(?:元|块钱|块|rmb|yuan)(?![a-z]))", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_ORDER = re.compile(r"(?<![\d.])\d{10,}(?![\d.])")
_NUMBER = re.compile(r"(?<![\d.])\d{3,}(?:\.\d+)?(?![\d.])")
_SPACE = re.compile(r"[ \t\u3000]+")
_DIGIT = re.compile(r"\d")
_MASK_OPEN = re.compile(r"[\[<{【]")
#: NFKC of U+FF01..U+FF5E is U+0021..U+007E, of U+3000 a space.
_FULL_WIDTH: Final = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}

#: Agent phrases that carry no topic. Matched as substrings of agent lines.
BOILERPLATE_PATTERNS: Final[tuple[str, ...]] = (
    r"亲+[亲爱的]*",
    r"您好[,!~，！]*",
    r"你好[,!~，！]*",
    r"在的[哦呢呀哈]*",
    r"很高兴为您服务",
    r"(?:欢迎光临|感谢光临)[^,，。!！]*",
    r"请稍等[一下片刻哦呢~]*",
    r"(?:正在|这边|马上)?(?:为|帮)您查询[一下]*",
    r"感谢您的(?:耐心)?等待",
    r"(?:请问)?还有(?:其他|什么)(?:问题|可以帮您|需要)[^?？]*[?？]?",
    r"祝您(?:生活愉快|购物愉快|心情愉快)[^,，。!！]*",
    r"(?:麻烦|辛苦)?(?:给个|给)?五星好评[^,，。!！]*",
    r"感谢您的(?:支持|理解)",
    r"不客气[哦呢~]*",
    r"好的[呢哦~]*",
    r"嗯嗯",
)
#: Every character a boilerplate phrase can start with. The lookahead lets the
#: regex engine skip most positions with one set test instead of trying every
#: alternative (3x faster on agent text).
BOILERPLATE_FIRST_CHARS: Final = "亲您你在很欢感请正这马为帮还祝麻辛给五不好嗯"
_BOILERPLATE = re.compile(f"(?=[{BOILERPLATE_FIRST_CHARS}])(?:" + "|".join(f"(?:{p})" for p in BOILERPLATE_PATTERNS) + ")")


def remove_control_chars(text: str) -> str:
    """Drop control and zero-width characters except tab and newline."""
    return _CONTROL.sub("", text)


def _mask_token(match: re.Match[str]) -> str:
    return _MASK_TOKENS[match.group(1)]


def normalize_text(text: str) -> str:
    """Normalise a chat text for features.

    Parameters
    ----------
    text : str
        Raw text of one or more messages.

    Returns
    -------
    str
        NFKC-folded, lower-cased text with placeholders for URLs, masked
        fields, amounts, phone numbers, order numbers and other long numbers.

    Examples
    --------
    >>> normalize_text("订单１２３４５６７８９０１２ 退款¥89")
    '订单 xorder 退款 xmoney'
    """
    if not text:
        return ""
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    # Full-width ASCII and the ideographic space are most of what NFKC changes in
    # chat text; a translate table folds them far faster than normalize().
    text = text.translate(_FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    # Most chat lines hold no URL, mask or digit: skip those passes cheaply.
    if "www" in text or "://" in text:
        text = _URL.sub(URL_TOKEN, text)
    if _MASK_OPEN.search(text):
        text = _MASK.sub(_mask_token, text)
    if _DIGIT.search(text):
        text = _MONEY.sub(MONEY_TOKEN, text)
        text = _PHONE.sub(PHONE_TOKEN, text)
        text = _ORDER.sub(ORDER_TOKEN, text)
        text = _NUMBER.sub(NUMBER_TOKEN, text)
    return _SPACE.sub(" ", text).strip()


def strip_boilerplate(text: str) -> str:
    """Remove agent boilerplate phrases from normalised agent text.

    Parameters
    ----------
    text : str
        Normalised agent text.

    Returns
    -------
    str
        The text without greetings, waiting phrases and sign-offs.
    """
    return _SPACE.sub(" ", _BOILERPLATE.sub(" ", text)).strip()


def is_boilerplate(line: str) -> bool:
    """Tell whether an agent line is nothing but boilerplate.

    Parameters
    ----------
    line : str
        One agent message.

    Returns
    -------
    bool
        True when nothing but punctuation remains after removing boilerplate.
    """
    rest = strip_boilerplate(normalize_text(line))
    return not re.search(r"[\w\u4e00-\u9fff]", rest)
