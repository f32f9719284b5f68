"""Labels are cut at a word boundary (issue 15.7): "văn hóa…", never "vă…"."""

import pytest

from core.wordcut import cut_words
from summaries.text_util import short


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Hoạt động văn hóa, thể thao cộng đồng", 70, "Hoạt động văn hóa, thể thao cộng đồng"),
    ("Hoạt động văn hóa, thể thao cộng đồng", 13, "Hoạt động…"),  # not "Hoạt động vă…"
    ("Hoạt động văn hóa, thể thao cộng đồng", 19, "Hoạt động văn hóa…"),  # the comma dropped before "…"
    ("Hoạt động văn", 13, "Hoạt động văn"),
    ("Mộtchữrấtdàikhôngcódấucách", 10, "Mộtchữrất…"),  # one word longer than the limit: cut inside
])
def test_cut_at_a_word_boundary(text, limit, expected):
    assert cut_words(text, limit) == expected
    assert len(cut_words(text, limit)) <= limit


def test_summary_labels_are_cut_the_same_way():
    assert short("Hoạt động  văn\nhóa, thể thao", 15) == "Hoạt động văn…"
