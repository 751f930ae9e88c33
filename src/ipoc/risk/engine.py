"""Pure functions of the export risk check (no database): the market filter (在目标市场是否有效), claim
elements (权利要求技术特征拆分), element × feature proposals (词语重合) and risk grading (全面覆盖原则)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ipoc.risk import rules

# ---------------------------------------------------------------- market filter


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def expiry_of(p: dict) -> dt.date | None:
    """The stored expiry, else filing date + the term of the jurisdiction (rules ``term_cn``/``term_other``)."""
    if p.get("expiry_date"):
        return p["expiry_date"]
    filed = p.get("application_date")
    if not filed:
        return None
    if (p.get("jurisdiction") or "CN") == "CN":
        years = rules.value("term_cn").get(p.get("patent_type") or "invention", 20)
    else:
        years = rules.value("term_other")
    return _add_years(filed, years)


def covers(jurisdiction: str, market: str) -> bool:
    """Whether a right of ``jurisdiction`` has effect in ``market`` (an EP patent in the EP states)."""
    j = (jurisdiction or "CN").upper()
    m = market.upper()
    if j == m:
        return True
    return j == "EP" and m in rules.value("ep_states")


def market_status(p: dict, market: str, *, start: dt.date, horizon: dt.date) -> dict:
    """``{"kept": bool, "state": "in_force"|"pending"|"presumed"|"excluded", "reason": str}`` for one patent
    (a dict with jurisdiction, legal_status, dates, patent_type, family_members) in one market over
    ``start`` … ``horizon``."""
    label = rules.market_label(market)
    j = (p.get("jurisdiction") or "CN").upper()
    if j == "WO":
        return {"kept": False, "state": "excluded",
                "reason": _("PCT 国际申请本身不产生专利权，需关注其进入%(m)s的国家阶段") % {"m": label}}
    if not covers(j, market):
        fam = [str(n) for n in p.get("family_members") or [] if str(n).upper().startswith(market.upper())]
        reason = _("不在目标市场（本件为%(j)s专利）") % {"j": rules.market_label(j)}
        if fam:
            reason += _("；同族 %(n)s 覆盖%(m)s，尚未入库，建议补充检索") % {"n": fam[0], "m": label}
        return {"kept": False, "state": "excluded", "reason": reason}
    status = p.get("legal_status") or ""
    expiry = expiry_of(p)
    lapse = p.get("lapse_date")
    if status == "lapsed" and not (lapse and lapse > start):
        when = lapse.isoformat() if lapse else ""
        return {"kept": False, "state": "excluded",
                "reason": (_("已失效（%(d)s）") % {"d": when}) if when else _("已失效")}
    if expiry and expiry < start:
        return {"kept": False, "state": "excluded", "reason": _("已于 %(d)s 期限届满") % {"d": expiry.isoformat()}}
    if lapse and lapse < start:
        return {"kept": False, "state": "excluded", "reason": _("已失效（%(d)s）") % {"d": lapse.isoformat()}}
    until = ""
    if expiry and expiry < horizon:
        until = _("；将于 %(d)s 届满（早于排查时间范围终点）") % {"d": expiry.isoformat()}
    elif expiry:
        until = _("；届满日 %(d)s") % {"d": expiry.isoformat()}
    if status == "valid":
        return {"kept": True, "state": "in_force", "reason": _("有效") + until}
    if status == "pending":
        return {"kept": True, "state": "pending", "reason": _("审中申请，授权后可能构成风险") + until}
    if status == "lapsed":  # lapse date later than the start
        return {"kept": True, "state": "in_force", "reason": _("将于 %(d)s 失效") % {"d": lapse.isoformat()}}
    kind = (p.get("kind_code") or "").upper()
    if p.get("grant_date") or p.get("grant_number") or kind[:1] in ("B", "C", "U", "S", "Y"):
        return {"kept": True, "state": "presumed",
                "reason": _("已授权，法律状态未知，按有效推定（待核实）") + until}
    return {"kept": True, "state": "pending", "reason": _("申请公开，法律状态未知，按审中对待（待核实）") + until}


def family_key(p: dict) -> str:
    """The family a patent belongs to: its earliest priority number, else its own application number."""
    for claim in p.get("priority_claims") or []:
        number = claim.get("number") if isinstance(claim, dict) else str(claim)
        if number:
            return str(number)[:120]
    return str(p.get("application_number") or p.get("key") or p.get("id"))[:120]


# ---------------------------------------------------------------- words


_EN_STOP = frozenset("""a an the of to for in on at by with from into and or said wherein whereby which that is are
be being been having has have comprising comprises comprise including includes include consisting configured
one more least each plurality thereof thereto therein such first second third when than then it its as
further based via between upon so not any all""".split())
_CN_STOP = frozenset(["所述", "其特征", "特征", "在于", "包括", "一种", "设置", "所述的", "用于", "以及", "其中", "通过",
                      "根据", "权利要求", "连接", "进行", "具有", "至少", "一个", "多个", "和", "或", "与"])
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]+|\d+")


def _stem(word: str) -> str:
    """A light English stemmer: detecting/detects/detected → detect, charge/charging → charg."""
    w = word.lower().strip("-")
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            if suffix in ("ing", "ed") and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "ls":
                w = w[:-1]  # outputted → output
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def words(text: str) -> set[str]:
    """The content words of a text: English words stemmed, Chinese words from the search tokenizer."""
    return set(surface_words(text))


def surface_words(text: str) -> dict[str, str]:
    """{content word (stemmed): the word as the text writes it}."""
    out: dict[str, str] = {}
    text = text or ""
    for w in _WORD.findall(text):
        s = _stem(w)
        if len(s) > 2 and s not in _EN_STOP and w.lower() not in _EN_STOP:
            out.setdefault(s, w.lower())
    if re.search(r"[\u3400-\u9fff]", text):
        from ipoc.search.selectors import query_words

        for word, tokens in query_words(text):
            if re.search(r"[\u3400-\u9fff]", word):
                for t in {word, *tokens}:
                    if len(t) >= 2 and t not in _CN_STOP:
                        out.setdefault(t, t)
    return out


def coverage(element_words: set[str], feature_words: set[str]) -> float:
    """Share of an element's words found in a feature (term overlap)."""
    if not element_words:
        return 0.0
    return len(element_words & feature_words) / len(element_words)


# ---------------------------------------------------------------- claim elements


_PREAMBLE = re.compile(r"^(?P<pre>.*?)(?:,?\s*(?:comprising|consisting of|consisting essentially of|including|"
                       r"characterized in that|wherein)\s*:?|(?:，|,)?\s*(?:其特征在于|包括|包含|由以下组成)\s*[:：]?)",
                       re.IGNORECASE | re.DOTALL)
_NUM_PREFIX = re.compile(r"^\s*\d{1,3}\s*[\.．、]\s*")


def claim_elements(text: str) -> list[str]:
    """An independent claim split into its elements: the preamble, then each feature (``;``/``；``, or
    ``，`` when a Chinese claim has no semicolon)."""
    body = _NUM_PREFIX.sub("", (text or "").strip()).rstrip("。.")
    if not body:
        return []
    pre = ""
    m = _PREAMBLE.search(body)
    if m and m.group("pre").strip() and len(m.group("pre")) < len(body) * 0.8:
        pre = m.group("pre").strip(" ,，:：")
        rest = re.sub(r"^[\s,，:：]*(?:包括|包含|comprising|including)?[\s:：,，]*", "", body[m.end():],
                      flags=re.IGNORECASE)
    else:
        rest = body
    parts = re.split(r"[;；]\s*", rest)
    if len(parts) == 1 and re.search(r"[\u3400-\u9fff]", rest):
        parts = re.split(r"[，,]\s*", rest)
    out = [pre] if pre else []
    for part in parts:
        part = re.sub(r"^(?:and|以及|和)\s+", "", part.strip(" ,，:：\n"), flags=re.IGNORECASE).strip()
        part = re.sub(r"^\(?[a-z0-9]{1,2}\)\s*", "", part)  # (a) … (b) …
        if len(part) >= 3:
            out.append(part)
    return out or [body]


@dataclass
class Proposal:
    mapping: str
    feature: str
    overlap: float
    evidence: str
    shared: list[str] = field(default_factory=list)


def propose(element: str, features: list[str], product_text: str = "") -> Proposal:
    """The platform's suggestion for one element: the product feature with the highest term overlap,
    else the whole product text; graded by the overlap thresholds of ``rules``."""
    surface = surface_words(element)
    ew = set(surface)
    best = ("", 0.0, set())
    for feat in features:
        fw = words(feat)
        c = coverage(ew, fw)
        if c > best[1]:
            best = (feat, c, ew & fw)
    whole = words(product_text)
    cw = coverage(ew, whole)
    if cw > best[1] + 0.2:  # the element's words are spread over the description rather than in one feature
        best = (_("产品描述"), cw, ew & whole)
    feature, score, shared = best
    if score >= rules.value("literal_overlap"):
        mapping = "literal"
    elif score >= rules.value("equivalent_overlap"):
        mapping = "equivalent"
    elif score < rules.value("absent_overlap"):
        mapping = "absent"
    else:
        mapping = "open"
    shared_list = sorted({surface[w] for w in shared if w in surface})
    evidence = _("词语重合 %(p)d%%：%(w)s") % {"p": round(score * 100), "w": "、".join(shared_list[:12]) or "—"}
    return Proposal(mapping, feature if score > 0 else "", round(score, 3), evidence, shared_list)


# ---------------------------------------------------------------- grading


def claim_risk(mappings: list[str]) -> str:
    """全面覆盖原则: every element literally present → high; any absent element → low; else medium."""
    if not mappings:
        return "unrated"
    if "absent" in mappings:
        return "low"
    if all(m == "literal" for m in mappings):
        return "high"
    return "medium"


RISK_ORDER = {"unrated": 0, "low": 1, "medium": 2, "high": 3}


def patent_risk(per_claim: list[str]) -> str:
    """A patent is as risky as its riskiest independent claim."""
    rated = [r for r in per_claim if r != "unrated"]
    return max(rated, key=RISK_ORDER.__getitem__) if rated else "unrated"
