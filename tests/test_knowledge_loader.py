"""The shipped content is complete, and broken content is reported naming the entry."""
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.loader import CONTENT_DIR, KnowledgeError, load_knowledge

SEED_ARTICLES = [str(n) for n in range(1, 27)]


def test_all_27_faqs_in_both_languages(kb):
    assert sorted(kb.faqs, key=int) == [str(n) for n in range(1, 28)]
    for faq in kb.faqs.values():
        assert faq.question.nl and faq.question.fr and faq.answer.nl and faq.answer.fr


def test_every_article_of_the_conditions_is_there(kb):
    assert set(SEED_ARTICLES) <= set(kb.articles)
    # Sub-articles the issue names explicitly, numbered as in the source.
    for article_id in ("13.3", "15.1", "15.1.2", "16.10", "12.2.5", "5.1.1", "18.3.2"):
        assert article_id in kb.articles


def test_article_numbering_follows_the_source(kb):
    seed = (Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_f5f3ef5fa5356c61.txt")
    if not seed.exists():
        pytest.skip("shared/seeds is not beside the project")
    import re

    numbered = set()
    for line in seed.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^ ?(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+[A-Za-z“]", line)
        if match and int(match.group(1).split(".")[0]) <= 26:
            numbered.add(match.group(1))
    missing = numbered - set(kb.articles)
    assert not missing, f"numbered in the source but not in the content: {sorted(missing)}"


def test_definitions_and_notes(kb):
    assert len(kb.definitions) >= 42
    assert "reception-structure" in kb.definitions
    notes = {n.id: n for n in kb.notes.values()}
    # The law changes the issue requires a dated note for.
    assert {"6.1", "14.3", "14.5"} <= set(notes["payout-at-legal-pension"].articles)
    assert "14.2" in notes["vesting-immediate"].articles
    assert "4.2" in notes["affiliation-age-abolished"].articles
    assert notes["payout-at-legal-pension"].effective.isoformat() == "2016-01-01"
    assert notes["vesting-immediate"].effective.isoformat() == "2019-01-01"


@pytest.fixture
def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def _edit(path: Path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_copy_of_shipped_content_loads(content_copy):
    assert len(load_knowledge(content_copy).faqs) == 27


def test_missing_translation_names_the_entry(content_copy):
    _edit(content_copy / "faqs.yml", lambda d: d["faqs"][6]["answer"].pop("fr"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(content_copy)
    assert "faq '7'" in str(error.value) and "'answer' has no 'fr' text" in str(error.value)


def test_dangling_reference_names_both_ends(content_copy):
    _edit(content_copy / "faqs.yml", lambda d: d["faqs"][16].update(references=[{"kind": "faq", "id": "99"}]))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(content_copy)
    assert "faq '17': refers to faq '99', which does not exist" in str(error.value)


def test_topic_citing_unknown_article(content_copy):
    _edit(content_copy / "topics.yml", lambda d: d["topics"][0].update(article="99.9"))
    with pytest.raises(KnowledgeError, match=r"cites article '99.9', which does not exist"):
        load_knowledge(content_copy)


def test_duplicate_id_and_placeholder_are_both_reported(content_copy):
    def change(data):
        data["definitions"].append(dict(data["definitions"][0]))
        data["definitions"][1]["text"]["nl"] = "TODO"

    _edit(content_copy / "definitions.yml", change)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(content_copy)
    assert len(error.value.problems) >= 2
    assert "duplicate id" in str(error.value)
    assert "TODO placeholder" in str(error.value)


def test_missing_parent_article(content_copy):
    _edit(content_copy / "articles" / "13.yml",
          lambda d: d["articles"].append({"id": "13.9.1", "text": {"nl": "x", "fr": "y"}}))
    with pytest.raises(KnowledgeError, match=r"article '13.9.1': its parent article '13.9' is missing"):
        load_knowledge(content_copy)


def test_invalid_yaml_is_reported(content_copy):
    (content_copy / "topics.yml").write_text("topics: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="topics.yml: is not valid YAML"):
        load_knowledge(content_copy)
