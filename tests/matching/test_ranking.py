"""The feedback reranker learns from confirmed/rejected matches."""

from ipoc.matching import ranking


def candidate(retrieval, **flags):
    return {"retrieval": retrieval, **{name: 0.0 for name in ranking.FEATURES if name != "retrieval"}, **flags}


def test_prior_ranks_by_retrieval_then_dealability():
    a = candidate(1.0)
    b = candidate(0.9, listed=1.0, in_force=1.0)
    c = candidate(0.5)
    assert ranking.score(b) > ranking.score(c) and ranking.score(a) > ranking.score(c)


def test_decisions_move_the_weights_and_the_ranking():
    # staff keep confirming university-held patents and rejecting the rest, at equal relevance
    examples = [(candidate(0.8, holder_university_or_institute=1.0), 1) for _ in range(12)]
    examples += [(candidate(0.8), 0) for _ in range(12)]
    weights = ranking.fit(examples)
    assert weights["holder_university_or_institute"] > ranking.PRIOR["holder_university_or_institute"] + 0.5
    university, company = candidate(0.7, holder_university_or_institute=1.0), candidate(0.75)
    assert ranking.score(company) > ranking.score(university)  # before: relevance decides
    assert ranking.score(university, weights) > ranking.score(company, weights)  # after: feedback decides


def test_no_feedback_returns_the_prior():
    weights = ranking.fit([])
    assert {k: weights[k] for k in ranking.FEATURES} == ranking.PRIOR and weights["bias"] == ranking.BIAS_PRIOR
