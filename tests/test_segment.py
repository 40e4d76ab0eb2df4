from __future__ import annotations

import logging

import pytest

from csclass.segment import Segmenter

SENTENCES = [
    "我买的运费险怎么还没退款，顺丰快递太慢了",
    "七天无理由退货需要吊牌完好吗",
    "收到的货不对板，色差太大了😡",
    "菜鸟驿站显示签收了但是我没拿到",
]


def test_user_dictionary_words_kept_whole() -> None:
    seg = Segmenter()
    assert "运费险" in seg.cut(SENTENCES[0])
    assert "七天无理由" in seg.cut(SENTENCES[1])
    assert "货不对板" in seg.cut(SENTENCES[2])
    assert "菜鸟驿站" in seg.cut(SENTENCES[3])


def test_words_drop_stopwords_and_punctuation() -> None:
    words = Segmenter().words("我的快递，还没到")
    assert "的" not in words and "，" not in words and "快递" in words


@pytest.mark.parametrize("sentence", SENTENCES)
def test_rjieba_and_python_jieba_agree(sentence: str) -> None:
    assert Segmenter("rjieba").cut(sentence) == Segmenter("jieba").cut(sentence)


def test_python_jieba_is_quiet_and_private(caplog: pytest.LogCaptureFixture) -> None:
    import jieba

    with caplog.at_level(logging.DEBUG):
        seg = Segmenter("jieba")
        seg.cut("测试一下")
    assert not [r for r in caplog.records if r.name == "jieba" and r.levelno < logging.ERROR]
    # The global tokenizer never learned our user dictionary.
    assert "运费险" not in jieba.dt.FREQ or jieba.dt.FREQ.get("运费险") != 2000
