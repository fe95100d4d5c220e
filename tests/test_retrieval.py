from knowledge import retrieval


def parse_data(*ranking):
    return {"response_selector": {"default": {"ranking": [
        {"intent_response_key": key, "confidence": confidence} for key, confidence in ranking
    ]}}}


def test_predicted_entry(kb):
    entry, confidence = retrieval.predicted_entry(kb, parse_data(("conditions/advance", 0.8), ("faq/upload_manual", 0.1)))
    assert entry is kb.topics["advance"] and confidence == 0.8
    assert retrieval.predicted_entry(kb, {}) == (None, 0.0)
    assert retrieval.predicted_entry(kb, parse_data(("faq/unknown", 0.9)))[0] is None


def test_closest_entries_skip_unknown_and_stop_at_count(kb):
    data = parse_data(("faq/unknown", 0.5), ("definition/exit", 0.2), ("faq/upload_manual", 0.1),
                      ("conditions/advance", 0.1), ("conditions/pledging", 0.05))
    assert retrieval.closest_entries(kb, data, 3) == [kb.definitions["exit"], kb.faqs["14"], kb.topics["advance"]]


def test_article_number():
    assert retrieval.article_number("13.3") == "13.3"
    assert retrieval.article_number("art. 16.10.") == "16.10"
    assert retrieval.article_number(" 15 ") == "15"
    assert retrieval.article_number("geen nummer") is None
    assert retrieval.article_number(None) is None
