"""What a person reads for each kind of entry: text, dated legal notes, source."""
from knowledge import answers


def test_faq_answer_and_source(kb):
    answer = answers.render(kb, kb.faqs["7"], "nl")
    assert answer.source == {"kind": "faq", "id": "7"}
    assert answer.text.startswith(kb.faqs["7"].answer.nl)
    assert answers.render(kb, kb.faqs["7"], "fr").text.startswith(kb.faqs["7"].answer.fr)


def test_outdated_article_carries_dated_note_in_each_language(kb):
    redemption = kb.topics["redemption"]
    assert redemption.article == "14.3"
    nl = answers.render(kb, redemption, "nl")
    fr = answers.render(kb, redemption, "fr")
    assert nl.source == fr.source == {"kind": "article", "id": "14.3"}
    assert "payout-at-legal-pension" in {n.id for n in nl.notes}
    # Babel's nl_BE and fr_BE long dates.
    assert "sinds 1 januari 2016" in nl.text
    assert "depuis le 1 janvier 2016" in fr.text


def test_note_on_parent_article_applies_to_sub_article(kb):
    rendered = answers.render(kb, kb.articles["15.1.2"], "nl")
    assert "exit-options-since-2016" in {n.id for n in rendered.notes}


def test_article_without_law_change_has_no_note(kb):
    assert answers.render(kb, kb.topics["change_of_address"], "nl").notes == ()


def test_undated_note_says_when_it_was_checked(kb):
    rendered = answers.render(kb, kb.topics["payout_capital_or_annuity"], "nl")
    annuity = [n for n in rendered.notes if n.id == "annuity-threshold"]
    assert annuity and annuity[0].effective is None
    assert "nagekeken op" in rendered.text


def test_definition_answer(kb):
    reserve = answers.render(kb, kb.definitions["acquired-reserve"], "fr")
    assert reserve.source == {"kind": "definition", "id": "acquired-reserve"}
    assert reserve.text.startswith(kb.definitions["acquired-reserve"].term.fr)
    reception = answers.render(kb, kb.definitions["reception-structure"], "nl")
    assert "artikel 23" in reception.text


def test_full_article_lists_sub_articles_in_order(kb):
    text = answers.article_full_text(kb, "15", "nl")
    positions = [text.index(number) for number in ("15.1", "15.1.1", "15.2", "15.5")]
    assert positions == sorted(positions)
    assert "16.1" not in text


def test_topic_refs_round_trip(kb):
    for entry in (kb.faqs["3"], kb.topics["advance"], kb.definitions["exit"], kb.articles["13.3"]):
        assert answers.resolve_topic_ref(kb, answers.topic_ref(entry)) is entry
    assert answers.resolve_topic_ref(kb, "faq:99") is None
    assert answers.resolve_topic_ref(kb, "nonsense") is None
    assert answers.resolve_topic_ref(kb, None) is None


def test_button_titles(kb):
    assert answers.title_of(kb, kb.definitions["exit"], "nl") == f"Wat betekent ‘{kb.definitions['exit'].term.nl}’?"
    assert answers.title_of(kb, kb.faqs["1"], "fr") == kb.faqs["1"].question.fr
