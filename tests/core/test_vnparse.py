"""Table-driven tests for core.vnparse: how village officials actually type (docs/domain.md)."""

import time
from datetime import date

import pytest

from core.vnparse import (
    ParseError,
    clean_text,
    fold,
    loose,
    match_choice,
    parse_date,
    parse_number,
    parse_quarter,
    parse_yesno,
)

TODAY = date(2026, 3, 18)  # a Wednesday
HUGE = "a" * 10_000


def err(code: str, **params: object) -> ParseError:
    return ParseError(code, params)


def table(*rows):
    """Rows are (id, *values); the id keeps failures readable."""
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


# --- fold / loose --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", table(
    ("doc-example", "Ngày hội Đại đoàn kết", "ngay hoi dai doan ket"),
    ("upper-d-stroke", "ĐẢNG ỦY", "dang uy"),
    ("nfd-input", "Tho\u0302n", "thon"),
    ("whitespace", "  thôn \t Nà\u00a0 Pài\n", "thon na pai"),
    ("eth-lookalike", "Ðoàn", "doan"),
    ("empty", "", ""),
))
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize("typed, meant", table(
    ("telex-double-o", "thoon", "thôn"),
    ("vni-mark-digit", "tho6n", "thôn"),
    ("vni-two-digits", "ho65i", "hội"),
    ("telex-tone-s", "baos caos", "báo cáo"),
    ("telex-tone-f-j", "ngayf hooij", "ngày hội"),
    ("telex-w-and-dd", "dduwowngf", "đường"),
    ("telex-aw", "nawm", "năm"),
    ("lone-w-is-u", "nhwngx", "những"),
    ("no-diacritics", "thon na pai", "Thôn Nà Pài"),
    ("punctuation", "báo cáo!!!", "Báo cáo"),
))
def test_loose_matches(typed, meant):
    assert loose(typed) == loose(meant)


@pytest.mark.parametrize("text, expected", table(
    ("weekday-abbrev-kept", "t2", "t2"),
    ("quarter-abbrev-kept", "q1", "q1"),
    ("year-kept", "năm 2026", "nam 2026"),
    ("non-final-consonant-kept", "cards", "cards"),
    ("no-vowel-kept", "hts", "hts"),
    ("emoji-only", "😀👍", ""),
))
def test_loose_keeps(text, expected):
    assert loose(text) == expected


# --- clean_text ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, max_length, expected", table(
    ("plain", "  Thôn Nà Pài  ", 100, "Thôn Nà Pài"),
    ("nfc", "Tho\u0302n", 100, "Thôn"),
    ("keeps-newline-tab", "a\n\tb", 100, "a\n\tb"),
    ("crlf", "a\r\nb\rc", 100, "a\nb\nc"),
    ("c0-c1-del", "a\x00b\x07c\x1bd\x7fe\x85f\x9f", 100, "abcdef"),
    ("noncharacters", "a\ufffeb\uffffc\U0001fffed\ufdd0", 100, "abcd"),
    ("lone-surrogate", "a\ud800b", 100, "ab"),
    ("zero-width-bom-bidi", "\ufeffa\u200bb\u202ec", 100, "abc"),
    ("emoji-kept", "👍 xong", 100, "👍 xong"),
    ("exactly-max", "abc", 3, "abc"),
    ("empty", "", 10, err("err.text.empty")),
    ("spaces-only", " \n\t ", 10, err("err.text.empty")),
    ("controls-only", "\x00\x01\x02", 10, err("err.text.empty")),
    ("none", None, 10, err("err.text.empty")),
    ("too-long", "abcd", 3, err("err.text.too_long", max=3)),
    ("huge", HUGE, 4000, err("err.text.too_long", max=4000)),
))
def test_clean_text(text, max_length, expected):
    assert clean_text(text, max_length) == expected


# --- parse_date ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", table(
    ("slash-short", "15/3", date(2026, 3, 15)),
    ("slash-full", "15/03/2026", date(2026, 3, 15)),
    ("dash-short", "15-3", date(2026, 3, 15)),
    ("dash-full", "15-03-2026", date(2026, 3, 15)),
    ("dots", "15.3.2026", date(2026, 3, 15)),
    ("two-digit-year", "15/3/26", date(2026, 3, 15)),
    ("spaces-around-sep", " 15 / 3 / 2025 ", date(2025, 3, 15)),
    ("trailing-period", "ngày 5/3.", date(2026, 3, 5)),
    ("iso", "2026-03-01", date(2026, 3, 1)),
    ("words", "ngày 15 tháng 3", date(2026, 3, 15)),
    ("words-plain-year", "ngay 15 thang 3 nam 2026", date(2026, 3, 15)),
    ("words-no-ngay", "15 tháng 3", date(2026, 3, 15)),
    ("words-comma-year", "15 Tháng 3, 2025", date(2025, 3, 15)),
    ("words-glued", "15tháng3", date(2026, 3, 15)),
    ("words-mung", "mùng 5 tháng 3", date(2026, 3, 5)),
    ("words-telex", "ngayf 15 thangs 3", date(2026, 3, 15)),
    ("words-this-year", "15 tháng 3 năm nay", date(2026, 3, 15)),
    ("words-last-year", "15 tháng 3 năm ngoái", date(2025, 3, 15)),
    ("polite-particle", "hôm qua ạ", date(2026, 3, 17)),
    ("polite-numeric", "15/3 nhé", date(2026, 3, 15)),
    ("today", "hôm nay", TODAY),
    ("today-plain-caps", "HOM  NAY", TODAY),
    ("today-short", "nay", TODAY),
    ("yesterday", "hôm qua", date(2026, 3, 17)),
    ("yesterday-telex", "hoom qua", date(2026, 3, 17)),
    ("yesterday-glued", "homqua", date(2026, 3, 17)),
    ("day-before-yesterday", "hôm kia", date(2026, 3, 16)),
    ("monday", "thứ hai", date(2026, 3, 16)),
    ("monday-digit", "Thứ 2", date(2026, 3, 16)),
    ("monday-abbrev", "T2", date(2026, 3, 16)),
    ("monday-hom", "hôm thứ hai", date(2026, 3, 16)),
    ("wednesday-is-today", "thứ tư", TODAY),
    ("thursday-last-week", "thu nam", date(2026, 3, 12)),
    ("friday", "t6", date(2026, 3, 13)),
    ("saturday", "thứ bảy", date(2026, 3, 14)),
    ("saturday-digit", "thu 7", date(2026, 3, 14)),
    ("sunday", "Chủ nhật", date(2026, 3, 15)),
    ("sunday-abbrev", "CN", date(2026, 3, 15)),
    ("tomorrow", "ngày mai", err("err.date.future")),
    ("in-two-days-kia", "ngày kia", err("err.date.future")),
    ("in-two-days-mot", "ngay mốt", err("err.date.future")),
    ("later-this-month", "20/3", err("err.date.future")),
    ("later-month-not-moved-back", "15/12", err("err.date.future")),
    ("next-year", "1/1/2027", err("err.date.future")),
    ("feb-31", "31/2", err("err.date.invalid")),
    ("month-13", "1/13/2026", err("err.date.invalid")),
    ("day-zero", "0/3", err("err.date.invalid")),
    ("words-invalid", "30 tháng 2", err("err.date.invalid")),
    ("gibberish", "abc", err("err.date.unreadable")),
    ("sunday-typo", "thứ 8", err("err.date.unreadable")),
    ("three-digit-day", "123/4", err("err.date.unreadable")),
    ("emoji", "📅", err("err.date.unreadable")),
    ("empty", "", err("err.date.unreadable")),
    ("none", None, err("err.date.unreadable")),
    ("huge", HUGE, err("err.date.unreadable")),
    ("huge-digits", "1/" * 5000, err("err.date.unreadable")),
))
def test_parse_date(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text, today, year, expected", table(
    ("yesterday-over-new-year", "hôm qua", date(2026, 1, 1), None, date(2025, 12, 31)),
    ("yesterday-outside-year", "hôm qua", date(2026, 1, 1), 2026, err("err.date.outside_year", year=2026)),
    ("sunday-outside-year", "cn", date(2026, 1, 2), 2026, err("err.date.outside_year", year=2026)),
    ("explicit-outside-year", "15/3/2025", TODAY, 2026, err("err.date.outside_year", year=2026)),
    ("in-year", "15/3", TODAY, 2026, date(2026, 3, 15)),
    ("future-reported-first", "15/3/2027", TODAY, 2026, err("err.date.future")),
    ("last-years-report-default-year", "20/12", date(2026, 1, 5), 2025, date(2025, 12, 20)),
    ("leap-day", "29/2", date(2028, 3, 1), None, date(2028, 2, 29)),
    ("not-leap", "29/2", TODAY, None, err("err.date.invalid")),
))
def test_parse_date_year(text, today, year, expected):
    assert parse_date(text, today, year) == expected


# --- parse_number --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", table(
    ("digits", "20", 20),
    ("unit", "20 hộ", 20),
    ("hedge-and-unit", "khoảng 150 người", 150),
    ("dot-thousands", "1.200 người", 1200),
    ("comma-thousands", "1,200", 1200),
    ("space-thousands", "1 200", 1200),
    ("millions", "2.000.000 đồng", 2_000_000),
    ("scale-word", "2 triệu", 2_000_000),
    ("scale-k", "20k", 20_000),
    ("kg-is-not-k", "20 kg", 20),
    ("decimal-times-scale", "1,5 triệu", 1_500_000),
    ("same-number-twice", "20 hộ, 20 gia đình", 20),
    ("zero-digit", "0", 0),
    ("zero-word", "không", 0),
    ("zero-none", "không có", 0),
    ("hai-muoi", "hai mươi", 20),
    ("hai-muoi-plain", "hai muoi", 20),
    ("muoi-lam", "mười lăm", 15),
    ("muoi-lam-plain", "muoi lam", 15),
    ("mot-tram", "một trăm", 100),
    ("ba-muoi-lam", "ba mươi lăm người", 35),
    ("hai-muoi-mot", "hai mươi mốt", 21),
    ("hai-muoi-tu", "hai mươi tư", 24),
    ("linh", "một trăm linh năm", 105),
    ("le", "hai trăm lẻ ba", 203),
    ("tram-abbrev", "một trăm hai", 120),
    ("nghin-ruoi", "hai nghìn rưỡi", 2500),
    ("ngan", "ba ngàn", 3000),
    ("formal-2005", "hai nghìn không trăm linh năm", 2005),
    ("chuc", "hai chục hộ", 20),
    ("triệu-words", "hai triệu ba trăm nghìn", 2_300_000),
    ("max-words", "chín trăm chín mươi chín nghìn chín trăm chín mươi chín", 999_999),
    ("telex-words", "nawm muwowi", 50),
    ("words-with-hedge", "khoảng hai mươi người", 20),
    ("decimal-dot", "1.5", err("err.number.not_whole")),
    ("decimal-comma", "2,5", err("err.number.not_whole")),
    ("two-numbers", "20 hay 30", err("err.number.unreadable")),
    ("range", "20-30", err("err.number.unreadable")),
    ("two-word-numbers", "hai ba người", err("err.number.unreadable")),
    ("date-like", "15.3.2026", err("err.number.unreadable")),
    ("ba-is-grandmother", "bà con đông", err("err.number.unreadable")),
    ("lam-alone-is-lam", "làm rồi", err("err.number.unreadable")),
    ("khong-biet", "không biết", err("err.number.unreadable")),
    ("words-only", "nhiều lắm", err("err.number.unreadable")),
    ("negative", "-5", err("err.number.too_small", min=0)),
    ("negative-unicode-minus", "−5 hộ", err("err.number.too_small", min=0)),
    ("emoji", "👍", err("err.number.unreadable")),
    ("empty", "", err("err.number.unreadable")),
    ("none", None, err("err.number.unreadable")),
    ("huge-letters", HUGE, err("err.number.unreadable")),
    ("huge-digits", "1" * 10_000, err("err.number.unreadable")),
    ("huge-groups", "1.000" * 2_000, err("err.number.unreadable")),
))
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text, minimum, maximum, expected", table(
    ("in-range", "5", 1, 10, 5),
    ("at-min", "1", 1, 10, 1),
    ("at-max", "10", 1, 10, 10),
    ("below-min", "0", 1, 10, err("err.number.too_small", min=1)),
    ("zero-word-below-min", "không", 1, None, err("err.number.too_small", min=1)),
    ("above-max", "11 hộ", None, 10, err("err.number.too_large", max=10)),
    ("words-above-max", "một trăm", 0, 99, err("err.number.too_large", max=99)),
    ("negative-with-min", "-5", 1, None, err("err.number.too_small", min=1)),
    ("negative-allowed", "-5", -10, None, -5),
))
def test_parse_number_range(text, minimum, maximum, expected):
    assert parse_number(text, minimum, maximum) == expected


# --- parse_yesno ---------------------------------------------------------------------------------

YES = ["có", "co", "c", "Có!", "ừ", "u", "ok", "OK", "đồng ý", "dong y", "rồi", "roi", "đã", "da", "yes",
       "y", "vâng", "vang", "đúng", "dung", "có ạ", "đúng rồi", "cos", "vaang", "👍"]
NO = ["không", "khong", "ko", "k", "kg", "chưa", "chua", "no", "n", "sai", "chưa có", "không đúng",
      "khoong", "không ạ"]
NEITHER = ["1", "2", "0", "", None, "có hay không", "mai", "😀", "báo cáo", HUGE]


@pytest.mark.parametrize("text", YES)
def test_parse_yesno_yes(text):
    assert parse_yesno(text) is True


@pytest.mark.parametrize("text", NO)
def test_parse_yesno_no(text):
    assert parse_yesno(text) is False


@pytest.mark.parametrize("text", NEITHER, ids=lambda t: repr(t)[:20])
def test_parse_yesno_neither(text):
    assert parse_yesno(text) is None


# --- parse_quarter -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", table(
    ("quy-1", "quý 1", 1), ("quy-plain", "quy 2", 2), ("q1", "q1", 1), ("Q-space", "Q 3", 3),
    ("roman-i", "quý I", 1), ("roman-iv", "Quý IV", 4), ("roman-ii", "quy ii", 2),
    ("roman-iii", "QUÝ III", 3),
    ("mot", "quý một", 1), ("hai", "quý hai", 2), ("ba", "quy ba", 3), ("bon", "quý bốn", 4),
    ("tu", "quý tư", 4), ("bare-1", "1", 1), ("bare-4", " 4 ", 4), ("with-year", "Quý I/2026", 1),
    ("with-nam", "quý 2 năm 2026", 2), ("glued", "quý1", 1), ("telex", "quys 3", 3), ("qui", "quí 4", 4),
    ("quy-7", "quý 7", None), ("bare-5", "5", None), ("bare-0", "0", None), ("bare-roman", "iv", None),
    ("bare-word", "ba", None), ("month-year", "1/2026", None), ("quy-alone", "quý", None),
    ("empty", "", None), ("none", None, None), ("emoji", "📊", None), ("huge", HUGE, None),
))
def test_parse_quarter(text, expected):
    assert parse_quarter(text) == expected


# --- match_choice --------------------------------------------------------------------------------

LABELS = [["Báo cáo tuần", "Weekly report"], ["Báo cáo quý", "Quarterly report"], ["Thôn Nà Pài", "Na Pai"]]


@pytest.mark.parametrize("text, expected", table(
    ("number", "2", 1), ("number-padded", " 2 ", 1), ("number-dot", "2.", 1), ("so-2", "số 2", 1),
    ("so-plain", "so 3", 2), ("so-glued", "số2", 1), ("number-out-of-range", "5", None),
    ("number-zero", "0", None),
    ("exact-vi", "Báo cáo quý", 1), ("exact-plain", "bao cao tuan", 0), ("exact-en", "weekly report", 0),
    ("exact-telex", "baos caos quys", 1), ("exact-telex-thon", "thoon naf pai", 2),
    ("prefix", "quarterly", 1), ("prefix-3-chars", "tho", 2), ("word-inside", "pai", 2),
    ("words-inside", "na pai", 2), ("ambiguous-prefix", "báo", None), ("ambiguous-words", "bao cao", None),
    ("too-short-prefix", "th", None), ("nothing", "xin chào", None), ("emoji", "👍", None),
    ("empty", "", None), ("none", None, None), ("huge", HUGE, None),
))
def test_match_choice(text, expected):
    assert match_choice(text, LABELS) == expected


def test_match_choice_duplicate_exact_label_is_ambiguous():
    assert match_choice("thon a", [["Thôn A"], ["Thon A"]]) is None


def test_match_choice_no_labels():
    assert match_choice("1", []) is None


# --- robustness ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    HUGE, "1" * 10_000, "1." * 5_000, "aw" * 5_000, "quý " * 2_500, "hai mươi " * 1_100, "\x00" * 10_000,
], ids=["letters", "digits", "dotted", "telex", "quy", "number-words", "nul"])
def test_long_inputs_are_fast(text):
    start = time.perf_counter()
    assert isinstance(parse_number(text), ParseError)
    assert isinstance(parse_date(text, TODAY), ParseError)
    assert parse_quarter(text) is None and parse_yesno(text) is None
    assert match_choice(text, LABELS) is None
    assert isinstance(clean_text(text, 4_000), ParseError)
    loose(text)
    assert time.perf_counter() - start < 0.5
