from __future__ import annotations

import re

import pytest

from csclass.normalize import BOILERPLATE_FIRST_CHARS, BOILERPLATE_PATTERNS, is_boilerplate, normalize_text, strip_boilerplate


def test_fullwidth_folded_and_placeholders() -> None:
    text = "ＸＬ码 订单号４５８７２１３３６９０２５ 手机138-1234-5678 退¥89.5 和 199元 https://x.cn/a 共1234件"
    assert normalize_text(text) == "xl码 订单号 xorder 手机 xphone 退 xmoney 和 xmoney xurl 共 xnum 件"


def test_masked_fields_become_placeholders() -> None:
    assert normalize_text("[订单x]退了[金额x]给[姓名x]") == "xorder 退了 xmoney 给 xname"


def test_emoji_and_emoticons_kept() -> None:
    assert normalize_text("太慢了😡[流泪]") == "太慢了😡[流泪]"


def test_control_characters_removed() -> None:
    assert normalize_text("还没\x00发\x07货\u200b") == "还没发货"


def test_boilerplate() -> None:
    assert is_boilerplate("亲亲在的哦~很高兴为您服务")
    assert is_boilerplate("请稍等，正在为您查询")
    assert not is_boilerplate("亲，您的包裹已经发出了")
    assert strip_boilerplate(normalize_text("感谢您的耐心等待，已经给您退款了")) == ",已经给您退款了"


#: One phrase per entry of BOILERPLATE_PATTERNS, in the same order, including the
#: optional openings (请问…, 麻烦…, 这边…), which start with other characters.
BOILERPLATE_SAMPLES = [
    "亲亲",
    "您好~",
    "你好，",
    "在的哦",
    "很高兴为您服务",
    "欢迎光临本店",
    "请稍等片刻",
    "这边为您查询一下",
    "感谢您的耐心等待",
    "请问还有其他问题吗？",
    "祝您生活愉快",
    "麻烦给个五星好评",
    "感谢您的支持",
    "不客气哦",
    "好的呢",
    "嗯嗯",
]


@pytest.mark.parametrize(("pattern", "sample"), list(zip(BOILERPLATE_PATTERNS, BOILERPLATE_SAMPLES, strict=True)))
def test_boilerplate_prefilter_covers_every_phrase(pattern: str, sample: str) -> None:
    # The prefilter lookahead must admit the first character of every phrase.
    assert re.fullmatch(pattern, sample)
    assert sample[0] in BOILERPLATE_FIRST_CHARS
    assert strip_boilerplate(f"x{sample}") == "x"


def test_full_width_table_is_nfkc() -> None:
    import unicodedata

    from csclass.normalize import _FULL_WIDTH

    assert len(_FULL_WIDTH) == 95
    assert all(unicodedata.normalize("NFKC", chr(k)) == chr(v) for k, v in _FULL_WIDTH.items())
    assert normalize_text("ＡＢＣ　１２！") == "abc 12!"
