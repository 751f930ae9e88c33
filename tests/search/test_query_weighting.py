"""Query construction of the lexical index (issue 15, point 2): a word and its overlapping search-mode
sub-words count as one term, words are weighted by their idf in the index, and the top hits are
re-ranked by coordination so that short keyword queries find the patent holding all their keywords."""

import pytest

from ipoc.search.engine.lexical import GROUP_TIE, LexicalIndex, QueryGroup
from ipoc.search.engine.tokenize import query_groups

BACKGROUND = [
    ("散热风扇", "风扇叶片"), ("显示屏支架", "支架底座"), ("一种闸机", "闸机的机箱"), ("闸机通道", "闸机和通道的布置"),
    ("丝杆螺母", "丝杆与螺母配合"), ("门禁闸机", "闸机识别人脸"), ("固态电解质膜", "固态电解质"),
    ("一种正极集流体", "正极"),
]


@pytest.fixture
def index(tmp_path):
    lex = LexicalIndex(tmp_path / "lex")
    docs = [dict(id=100 + i, title=t, abstract=a) for i, (t, a) in enumerate(BACKGROUND)]
    docs += [
        dict(id=1, title="高性能计算集群", abstract=""),
        dict(id=2, title="固态电解质的正极", abstract=""),
        dict(id=3, title="闸机", abstract="闸机"),
        dict(id=4, title="升降柱", abstract="用于闸机，门翼由丝杆带动上升"),
    ]
    lex.add(docs)
    lex.commit()
    return lex


def test_query_groups_keep_a_word_with_its_sub_words_once():
    groups = dict(query_groups("高性能全固态锂电池及关键材料的研发 锂电池 电池"))
    assert groups["高性能"] == ["高性", "性能", "高性能"]
    assert set(groups["锂电池"]) == {"锂电", "电池", "锂电池"}
    assert "电池" not in groups  # inside 锂电池's group: not a second term
    assert "及" not in groups and "的" not in groups  # stop words
    assert list(groups).count("锂电池") == 1


def test_a_word_with_three_sub_words_is_not_three_terms(index):
    # 高性能 is cut into 高性, 性能, 高性能: summed as three terms, the 高性能计算集群 patent (one query word)
    # outranked the patent holding two of the query's words (固态, 正极)
    ids, _ = index.search_ids("高性能 固态 正极", limit=5)
    assert ids.tolist().index(2) < ids.tolist().index(1)


def test_group_scores_the_best_sub_word_plus_a_tie_break_share(index):
    (word, tokens), = query_groups("高性能")
    whole = index.search_groups([QueryGroup(word, tokens, 1.0)], limit=1, coverage=False).scores[0]
    best_single = max(index.search_groups([QueryGroup(t, [t], 1.0)], limit=1, coverage=False).scores[0]
                      for t in tokens)
    assert whole <= best_single * (1 + GROUP_TIE * (len(tokens) - 1)) + 1e-4
    assert whole < best_single * len(tokens) - 1e-3  # the plain sum of the three tokens


def test_keyword_query_finds_the_patent_holding_every_keyword(index):
    # before coordination, patents repeating 闸机 or 丝杆 in their titles ranked above patent 4
    ids, _ = index.search_ids("闸机 丝杆 上升", limit=5)
    assert ids[0] == 4


def test_rare_words_weigh_more(index):
    groups = {g.word: g.weight for g in index.query_groups("闸机 叶片")}
    assert 0 < groups["闸机"] < groups["叶片"] <= 1


def test_search_groups_reports_what_each_hit_matched(index):
    groups = [QueryGroup(w, toks, 1.0) for w, toks in query_groups("闸机 丝杆")]
    hits = index.search_groups(groups, limit=10)
    assert {3, 4} <= set(hits.ids)
    assert hits.matched[4] == [0, 1] and hits.in_title[4] == []
    assert hits.in_title[3] == [0]


def test_search_and_search_ids_agree(index):
    ids, _ = index.search_ids("闸机 丝杆 上升", limit=5)
    assert [h.id for h in index.search("闸机 丝杆 上升", limit=5).hits] == ids.tolist()
    page2 = index.search("闸机 丝杆 上升", limit=2, offset=2)
    assert [h.id for h in page2.hits] == ids.tolist()[2:4]
