"""Mask personal data in buyer text.

Masks mainland phone numbers, ID-card numbers, order and other long numbers
(also written with full-width digits or split by spaces and dashes), e-mail
addresses, URLs, the value after 地址/收货地址/姓名/收件人 labels, and
street addresses (…省/市/区/路/街/号…). Masked values become ``[手机号]``,
``[身份证]``, ``[订单号]``, ``[邮箱]``, ``[链接]``, ``[地址]`` and ``[姓名]``.
"""

from __future__ import annotations

import re
import unicodedata

_DIGIT = r"[0-9０-９]"
_SEP = r"[\s\-－—]?"
_ID = re.compile(rf"(?<!{_DIGIT})(?:{_DIGIT}{_SEP}){{17}}[0-9０-９xXｘＸ](?![0-9０-９])")
_PHONE = re.compile(rf"(?<!{_DIGIT})(?:\+?86{_SEP})?[1１][3-9３-９]{_DIGIT}{_SEP}{_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}}(?!{_DIGIT})")
_LONG_NUMBER = re.compile(rf"(?<!{_DIGIT})(?:{_DIGIT}{_SEP}){{7,}}{_DIGIT}(?!{_DIGIT})")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u4e00-\u9fff，。！？]+", re.IGNORECASE)
_NAME = re.compile(r"((?:姓名|收件人|收货人|联系人|名字)\s*[:：是为]?\s*)[\u4e00-\u9fff·]{2,4}")
_ADDRESS_LABEL = re.compile(r"((?:收货地址|地址|住址)\s*(?:[:：]|是|为)\s*)[^\n，。,;；!！?？]{4,60}")
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_HAN = r"[\u4e00-\u9fff]"
_ADDRESS = re.compile(
    rf"(?:(?:{_PROVINCES})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?|{_HAN}{{2,4}}?市)"
    rf"(?:{_HAN}{{2,4}}?市)?(?:{_HAN}{{1,4}}?(?:区|县|镇))?"
    rf"(?:[\u4e00-\u9fff0-9０-９]{{1,12}}?(?:路|街|道|巷|弄|村|小区|大厦|花园))?"
    r"(?:[0-9０-９\-]+(?:号|栋|幢|单元|室|楼)?)*"
)


def _address(match: re.Match[str]) -> str:
    # A bare province or city name ("广东的天气") is not an address.
    return "[地址]" if re.search(r"[路街道巷弄村区县镇号]|小区|大厦|花园", match.group(0)) else match.group(0)


def mask_pii(text: str) -> str:
    """Return ``text`` with personal data replaced by bracketed tags.

    Parameters
    ----------
    text : str
        Buyer or agent text.

    Returns
    -------
    str
        The masked text.

    Examples
    --------
    >>> mask_pii("电话 138-1234-5678，订单 4587213369025")
    '电话 [手机号]，订单 [订单号]'
    """
    if not isinstance(text, str) or not text:
        return text
    text = _URL.sub("[链接]", text)
    text = _EMAIL.sub("[邮箱]", text)
    text = _ID.sub("[身份证]", text)
    text = _PHONE.sub("[手机号]", text)
    text = _LONG_NUMBER.sub("[订单号]", text)
    text = _NAME.sub(lambda m: m.group(1) + "[姓名]", text)
    text = _ADDRESS_LABEL.sub(lambda m: m.group(1) + "[地址]", text)
    text = _ADDRESS.sub(_address, text)
    return text


def digits_only(text: str) -> str:
    """Return the ASCII digits of ``text`` (full-width folded), for tests and checks."""
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
