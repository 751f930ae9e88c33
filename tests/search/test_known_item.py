"""Keyword known-item regression (issue 15, point 2; the full set is bench/known_item.py): two or three words
remembered from a patent's title or first claim must find that patent — at least as well as plain BM25."""

import numpy as np
import pytest
import rjieba

from ipoc.search.engine.bm25 import BM25
from ipoc.search.engine.lexical import LexicalIndex

PATENTS = [
    ("一种伺服电机驱动的闸机", "闸机门翼由伺服电机驱动。", "1.一种闸机，包括机箱、门翼和伺服电机，伺服电机通过减速器带动门翼转动。"),
    ("闸机通道的人脸识别装置", "在闸机通道两侧设置摄像头识别人脸。", "1.一种人脸识别装置，包括摄像头和处理器，摄像头安装于闸机立柱。"),
    ("升降柱", "用于道路限行的升降柱。", "1.一种升降柱，其特征在于：伺服电机带动丝杆转动，柱体随螺母上升，限位开关检测上升到位。"),
    ("伺服电机控制器", "伺服电机的驱动电路与编码器接口。", "1.一种伺服电机控制器，包括功率模块、编码器接口和电流采样电路。"),
    ("一种锂电池正极材料的包覆方法", "采用氧化铝包覆镍钴锰正极材料。", "1.一种包覆方法，将正极材料与氧化铝溶胶混合后喷雾干燥并煅烧。"),
    ("全固态锂电池", "硫化物固态电解质与锂金属负极。", "1.一种全固态锂电池，包括正极层、硫化物电解质层和锂金属负极，负极表面有缓冲层。"),
    ("锂电池极片辊压设备", "锂电池生产用辊压机，辊缝可调。", "1.一种辊压设备，包括上下轧辊、液压缸和测厚仪，测厚仪反馈调节辊缝。"),
    ("电池管理系统的均衡电路", "串联电池组的主动均衡。", "1.一种均衡电路，包括反激变压器和开关阵列，为电压最低的电芯充电。"),
    ("一种服装面料染色工艺", "活性染料低温染色。", "1.一种染色工艺，将面料浸入活性染料溶液，于60度保温并加入纯碱固色。"),
    ("纺织品防水整理剂", "含氟防水整理剂及其制备。", "1.一种防水整理剂，由含氟丙烯酸酯乳液、交联剂和乳化剂组成。"),
    ("污水处理用曝气装置", "微孔曝气盘提高氧利用率。", "1.一种曝气装置，包括曝气盘、布气管和鼓风机，曝气盘设于池底。"),
    ("一种钢渣处理方法", "熔融钢渣热闷处理回收铁。", "1.一种钢渣处理方法，将熔融钢渣倒入热闷罐，喷水产生蒸汽使钢渣粉化后磁选回收铁。"),
]
# words remembered from the patent's own title or first claim → its index in PATENTS
QUERIES = [
    ("伺服电机 闸机", 0), ("闸机 人脸", 1), ("丝杆 上升", 2), ("伺服电机 限位开关", 2), ("伺服电机 上升", 2),
    ("编码器 电流采样", 3), ("氧化铝 喷雾干燥", 4), ("锂电池 煅烧", 4), ("硫化物 缓冲层", 5), ("测厚仪 辊缝", 6),
    ("反激变压器 电芯", 7), ("活性染料 纯碱", 8), ("含氟 防水", 9), ("曝气盘 鼓风机", 10), ("热闷 磁选", 11),
    ("钢渣 蒸汽", 11), ("锂电池 辊压", 6),
]


def stock_tokens(text: str) -> list[str]:
    return [t for t in (x.strip().lower() for x in rjieba.cut(text)) if t]


def mrr(ranked: list[list[int]]) -> float:
    return float(np.mean([1.0 / (r.index(want) + 1) if want in r[:10] else 0.0
                          for r, (_q, want) in zip(ranked, QUERIES, strict=True)]))


@pytest.fixture
def index(tmp_path):
    lex = LexicalIndex(tmp_path / "lex")
    lex.add([dict(id=i, title=t, abstract=a, claims=[{"number": 1, "text": c}]) for i, (t, a, c) in enumerate(PATENTS)])
    lex.commit()
    return lex


def test_keyword_queries_find_their_own_patent_at_least_as_well_as_plain_bm25(index):
    ours = [index.search_ids(q, limit=10)[0].tolist() for q, _want in QUERIES]
    bm = BM25([stock_tokens(f"{t}。{a}。{c}") for t, a, c in PATENTS])
    plain = [[int(i) for i, s in zip(*bm.top(stock_tokens(q), 10), strict=True) if s > 0] for q, _want in QUERIES]
    assert mrr(ours) >= mrr(plain)
    # a keyword remembered from the claims next to one that other patents carry in their titles
    # (伺服电机, 锂电池): before coordination those patents came first (MRR 0.89)
    assert mrr(ours) >= 0.95
