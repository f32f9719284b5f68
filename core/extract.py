"""Understanding a report written in one message, against the plan's report forms (issue 17).

Village heads already write reports in their Zalo groups as one sentence: "hôm qua thôn tổ chức ngày
hội đại đoàn kết ở nhà văn hóa có 150 người". :func:`find_activities` says which forms the sentence
names (from each form's label, ``aliases`` and ``keywords`` in the plan) and :func:`read_report` fills
what the sentence says for one form: the date, the place, counts by their unit, money, yes/no facts.
Nothing is guessed: a number with no unit, or an activity only hinted at, is left for the caller to ask.

The forms are plan data (plan.schema.Form); this module only reads the attributes named in the
protocols below, so it stays on the ground floor (core imports nothing above it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

from core.sentence import Amount, Token, find_amounts, find_date, find_phrase, match_at, tokenize
from core.sentence import phrase_keys as _phrase_keys
from core.vnparse import ParseError, clean_text


class _Text(Protocol):
    vi: str
    en: str


class FieldSpec(Protocol):
    id: str
    kind: str  # plan.schema.FieldKind is a StrEnum: "date", "number", "text", "yesno", …
    required: bool
    min: int | None
    max: int | None
    unit: _Text | None
    max_length: int
    keywords: tuple[str, ...]
    means: str | None  # "place" (a text field) or "money" (a number field)


class FormSpec(Protocol):
    id: str
    label: _Text
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    fields: Sequence[FieldSpec]
    date_field: str


@lru_cache(maxsize=4096)
def phrase_keys(phrase: str) -> tuple[str, ...]:
    return _phrase_keys(phrase)


def _words(text: str) -> tuple[str, list[Token], list[str], list[int]]:
    """The sentence, its tokens, the keys of its words (punctuation left out) and each word's token index."""
    s, tokens = tokenize(text)
    index = [n for n, t in enumerate(tokens) if not t.is_break]
    return s, tokens, [tokens[n].key for n in index], index


# --- which activity --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Activities:
    named: tuple[str, ...]  # forms named outright, in the order written (two or more: ask which first)
    closest: tuple[str, ...]  # none named: up to three forms the words point to, best first (ask, never guess)


def _names(form: FormSpec) -> list[tuple[str, ...]]:
    labels = [form.label.vi.split("(")[0], form.label.en.split("(")[0], *form.aliases]
    return [keys for keys in (phrase_keys(p) for p in labels) if keys]


def _spans(words: list[str], phrases: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    vocabulary = frozenset(words)
    return [span for phrase in phrases for span in find_phrase(words, phrase, vocabulary)]


def _fact_spans(words: list[str], form: FormSpec) -> list[tuple[int, int]]:
    """Where the sentence states one of the form's yes/no facts ("giám sát hương ước" is not a Giám sát)."""
    return _spans(words, [phrase_keys(k) for f in form.fields if f.kind == "yesno" for k in f.keywords])


def find_activities(text: str, forms: Sequence[FormSpec]) -> Activities:
    _, _, words, _ = _words(text)
    named = [(start, end, n) for n, form in enumerate(forms) for start, end in _spans(words, _names(form))]

    def inside(span: tuple[int, int], outer: tuple[int, int]) -> bool:
        return outer[0] <= span[0] and span[1] <= outer[1] and outer[1] - outer[0] > span[1] - span[0]

    kept = [(s, e, n) for s, e, n in named if not any(m != n and inside((s, e), (os, oe)) for os, oe, m in named)]
    owners = {n for _, _, n in kept}
    facts = [span for n in owners for span in _fact_spans(words, forms[n])]
    kept = [(s, e, n) for s, e, n in kept if not any(inside((s, e), f) or (s, e) == f for f in facts)]
    order: list[int] = []
    for _, _, n in sorted(kept):
        if n not in order:
            order.append(n)
    if order:
        return Activities(tuple(forms[n].id for n in order), ())
    scores, vocabulary = [], frozenset(words)
    for n, form in enumerate(forms):
        score = sum(len(k) for k in {phrase_keys(p) for p in form.keywords} if k and find_phrase(words, k, vocabulary))
        if score:
            scores.append((-score, n))
    return Activities((), tuple(forms[n].id for _, n in sorted(scores)[:3]))


# --- what the sentence says for one form ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reading:
    answers: dict[str, object]  # field id -> the value as a report stores it (ISO date, int, bool, text)
    problems: tuple[tuple[str, ParseError], ...]  # (field id, or "" for the sentence) and why it was not used


_PLACE_WORDS = frozenset({"o", "tai"})
_PLACE_NOUNS = (("nha", "van", "hoa"), ("hoi", "truong"), ("san", "van", "dong"))
_PLACE_STOPS = frozenset({"co", "voi", "va", "luc", "vao", "ngay", "hom", "sang", "chieu", "toi", "trua", "thu",
                          "chu", "cn", "duoc", "da", "dat", "gom", "tong", "khoang", "hon", "gan", "tren", "nham",
                          "de", "cho", "cung", "nhung", "rat", "thanh", "ket", "tham", "to", "trong", "khi"})
_NEGATIONS = frozenset({"khong", "ko", "k", "kg", "khg", "kh", "chua", "chang", "cha"})
_MAX_PLACE_WORDS = 12


class _Sentence:
    """The sentence being read and which of its tokens a finding already used."""

    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.words, self.index = _words(text)
        self.taken: set[int] = set()  # token indices

    def take_words(self, start: int, end: int) -> None:
        self.taken.update(self.index[start:end])

    def words_free(self, start: int, end: int) -> bool:
        return not any(n in self.taken for n in self.index[start:end])


def read_report(text: str, form: FormSpec, forms: Sequence[FormSpec], today: date, year: int) -> Reading:
    """What `text` says for `form`; `forms` are every form, whose names end a place ("ở nhà văn hóa và thăm …")."""
    sentence = _Sentence(text)
    for other in forms:
        for start, end in _spans(sentence.words, _names(other)):
            sentence.take_words(start, end)
    answers: dict[str, object] = {}
    problems: list[tuple[str, ParseError]] = []
    found = find_date(sentence.tokens, today, year)
    if found is not None:
        sentence.taken.update(range(found.start, found.end))
        if isinstance(found.value, ParseError):
            problems.append((form.date_field, found.value))
        else:
            answers[form.date_field] = found.value.isoformat()
    _read_amounts(sentence, form, answers, problems)
    _read_facts(sentence, form, answers)
    _read_place(sentence, form, answers, problems)
    return Reading(answers, tuple(problems))


def _unit_phrases(field: FieldSpec) -> list[tuple[str, ...]]:
    texts = [*field.keywords, *((field.unit.vi, field.unit.en) if field.unit else ())]
    return sorted({k for k in (phrase_keys(t) for t in texts) if k}, key=len, reverse=True)


def _unit_after(sentence: _Sentence, amount: Amount, form: FormSpec) -> tuple[list[FieldSpec], int]:
    """The number fields whose unit follows the amount (longest unit wins), and where the unit ends (tokens)."""
    keys = [t.key for t in sentence.tokens]
    best: tuple[int, list[FieldSpec]] = (amount.end, [])
    for field in form.fields:
        if field.kind != "number" or field.means == "money":
            continue
        for phrase in _unit_phrases(field):
            end = match_at(keys, amount.end, phrase)
            if end is not None and end > best[0]:
                best = (end, [field])
            elif end is not None and end == best[0] and best[1]:
                best[1].append(field)
    return best[1], best[0]


def _in_range(value: int, field: FieldSpec) -> int | ParseError:
    low = field.min if field.min is not None else 0
    if value < low:
        return ParseError("err.number.too_small", {"min": low})
    if field.max is not None and value > field.max:
        return ParseError("err.number.too_large", {"max": field.max})
    return value


def _read_amounts(sentence: _Sentence, form: FormSpec, answers: dict, problems: list) -> None:
    money_fields = [f for f in form.fields if f.kind == "number" and f.means == "money"]
    for amount in find_amounts(sentence.text, sentence.tokens, sentence.taken):
        fields, end = _unit_after(sentence, amount, form)
        target = next((f for f in fields if f.id not in answers), fields[0] if fields else None)
        if amount.money and target is None:
            target = next((f for f in money_fields if f.id not in answers), None)
            if target is None:
                problems.append(("", ParseError("err.extract.money_unused")))
                sentence.taken.update(range(amount.start, amount.end))
                continue
        elif amount.money:  # "5 triệu hộ": money where a count is meant
            problems.append((target.id, ParseError("err.number.money_in_count")))
            sentence.taken.update(range(amount.start, end))
            continue
        if target is None:
            continue  # a number with no unit is not guessed into a field
        sentence.taken.update(range(amount.start, end))
        value = amount.value if isinstance(amount.value, ParseError) else _in_range(amount.value, target)
        if isinstance(value, ParseError):
            problems.append((target.id, value))
        elif target.id not in answers:
            answers[target.id] = value


def _read_facts(sentence: _Sentence, form: FormSpec, answers: dict) -> None:
    """A yes/no field is answered when its fact is named; a negation just before it makes it "no"."""
    for field in form.fields:
        if field.kind != "yesno":
            continue
        spans = [s for s in _spans(sentence.words, [phrase_keys(k) for k in field.keywords]) if sentence.words_free(*s)]
        if not spans:
            continue
        start, end = min(spans)
        before = sentence.words[max(0, start - 4):start]
        answers[field.id] = not any(w in _NEGATIONS for w in before)
        sentence.take_words(start, end)


def _read_place(sentence: _Sentence, form: FormSpec, answers: dict, problems: list) -> None:
    """"ở/tại …" up to a comma, a number, another finding or a word that starts a new clause."""
    field = next((f for f in form.fields if f.kind == "text" and f.means == "place"), None)
    if field is None:
        return
    tokens, keys = sentence.tokens, [t.key for t in sentence.tokens]
    for n, key in enumerate(keys):
        if n in sentence.taken:
            continue
        if key in _PLACE_WORDS:
            start = n + 1
        elif any(match_at(keys, n, noun) for noun in _PLACE_NOUNS):
            start = n
        else:
            continue
        end = start
        while (end < len(keys) and end - start < _MAX_PLACE_WORDS and end not in sentence.taken
               and not tokens[end].is_break and not tokens[end].is_number and keys[end] not in _PLACE_STOPS):
            end += 1
        if end > start:
            place = clean_text(sentence.text[tokens[start].start:tokens[end - 1].end], field.max_length)
            if isinstance(place, ParseError):
                problems.append((field.id, place))
            else:
                answers[field.id] = place
            sentence.taken.update(range(n, end))
            return
