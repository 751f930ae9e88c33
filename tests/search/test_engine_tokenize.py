from ipoc.search.engine.stopwords import STOPWORDS
from ipoc.search.engine.tokenize import normalize, phrase_tokens, split_query, to_index_text, tokenize


def test_fullwidth_folded_and_lowercased():
    assert normalize("ＬＥＤ５Ｇ") == "led5g"
    toks = tokenize("一种ＬＥＤ显示屏")
    assert "led" in toks and "显示屏" in toks


def test_patent_boilerplate_removed():
    toks = tokenize("本发明涉及一种无人机，其特征在于，所述无人机包括机翼")
    for w in ("本发明", "涉及", "一种", "其特征在于", "所述", "包括"):
        assert w not in toks
    assert "无人机" in toks and "机翼" in toks
    assert all(t not in STOPWORDS for t in toks)


def test_search_mode_emits_subwords():
    toks = tokenize("中华人民共和国")
    assert "中华人民共和国" in toks and "共和国" in toks


def test_english_and_punctuation():
    toks = tokenize("A wireless-communication device, wherein the antenna (5G) is ...")
    assert {"wireless", "communication", "antenna", "5g"} <= set(toks)
    assert "the" not in toks and "wherein" not in toks
    assert all(t.strip() and " " not in t for t in toks)


def test_index_text_roundtrip_has_no_inner_spaces():
    txt = to_index_text("图像  处理　方法；ＡＢＣ  def")
    assert txt.split(" ") == tokenize("图像  处理　方法；ＡＢＣ  def")


def test_split_query_phrases():
    terms, phrases = split_query('锂电池 "正极材料" “隔膜”')
    assert "锂电池" in terms
    assert phrases == [phrase_tokens("正极材料"), phrase_tokens("隔膜")]


def test_empty():
    assert tokenize("") == [] and tokenize("，。！") == []
