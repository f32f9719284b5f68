"""PlanBook: which plan a commune uses for a year, and `PlanBook.of` for callers handed a bare Plan."""

from __future__ import annotations

from plan.book import PlanBook
from plan.loader import SHIPPED_PLAN, load_plan

PLAN = load_plan(SHIPPED_PLAN)
NEXT_YEAR = PLAN.model_copy(update={"year": PLAN.year + 1})


def test_of_wraps_a_bare_plan_and_keeps_a_book_as_it_is():
    book = PlanBook(PLAN, {(7, PLAN.year + 1): NEXT_YEAR})
    assert PlanBook.of(book) is book  # the app's book, with its stored plans, is never copied
    wrapped = PlanBook.of(PLAN)
    assert isinstance(wrapped, PlanBook) and wrapped.default is PLAN
    assert wrapped.for_year(7, PLAN.year + 1) is PLAN  # a one-plan book: that plan for every commune and year


def test_stored_plan_of_the_year_first_then_the_file_then_the_latest_earlier_one():
    book = PlanBook(PLAN, {(7, PLAN.year + 1): NEXT_YEAR})
    assert book.for_year(7, PLAN.year + 1) is NEXT_YEAR
    assert book.for_year(7, PLAN.year) is PLAN
    assert book.for_year(7, PLAN.year + 2) is NEXT_YEAR  # a new year begun before its plan was loaded
    assert book.for_year(8, PLAN.year + 1) is PLAN
