"""The state a conversation keeps between messages: one small typed object per flow, stored as the row's JSON.

Each flow declares its own subclass (its name in FLOW, its steps as a Literal, its fields typed); the pipeline
reads the stored row back through that class, so a flow never sees a free dict and nobody reads another
flow's keys. Field names are the stored JSON keys: rows written before the states were typed load as they are.
A row that no longer fits (a step or field that disappeared, a wrong type) raises StateUnreadable, and the
pipeline closes that conversation politely instead of failing on it later.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, NotRequired, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticSerializationError
from typing_extensions import TypedDict  # pydantic reads typing.TypedDict only from Python 3.12

from core.menus import turns_page


class MenuOption(TypedDict):
    """A numbered option as a state keeps it (core.menus.option builds them)."""

    value: str
    labels: list[str]
    number: NotRequired[int]  # its number in a paged menu (core.menus.with_numbers), shown on every page


class StateUnreadable(ValueError):
    """A stored conversation that no flow can continue (unknown flow, missing or mistyped field)."""


class FlowState(BaseModel):
    """What every flow's state has: the step it waits in, and the options that step offered, if any."""

    model_config = ConfigDict(extra="ignore")  # keys of older shapes that are no longer used are dropped

    FLOW: ClassVar[str] = ""
    # The fields each step cannot do without (they are optional in the class because other steps lack them).
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {}

    step: str
    options: list[MenuOption] = []
    # A menu too long for one message is shown a page at a time (handlers/context.Context.ask_menu): `options`
    # holds the page shown and its option 0; the question, every option (numbered) and the page are kept here.
    menu_text: str = ""
    all_options: list[MenuOption] = []
    page: int = 0
    # A long list read a page at a time (Context.ask_list: deadlines, open petitions): the page shown, 0-based.
    list_page: int = 0

    def browses_only(self) -> bool:
        """Whether the conversation is only a list being read (/lich): any message but a page turn closes it and
        is handled as if no conversation were open."""
        return False

    def takes_free_text(self) -> bool:
        """Whether the current question reads any text as its answer (then "tổng hợp" is not a command)."""
        return False

    def reads_sentences(self) -> bool:
        """Whether a sentence typed now is read as this conversation's own (a report written after its photos),
        though the question offers options: "kiến nghị của bà con …" there is not /kiennghi with words."""
        return self.takes_free_text()

    def takes_photos(self) -> bool:
        """Whether a photo sent now is kept even though no photo question is asked (the pipeline then fetches it)."""
        return False

    def option_labels(self) -> list[str]:
        """Every label that selects one of the offered options (on any page of a paged menu)."""
        return [label for option in (self.all_options if self.paged() else self.options) for label in option["labels"]]

    def paged(self) -> bool:
        """Whether the options offered are a page of a longer menu (they end with option 0, the next page); a step
        that set its own options since keeps no stale page."""
        return bool(self.all_options) and any(turns_page(option["value"]) for option in self.options)

    def to_row(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_text(self) -> str:
        """The row's JSON as UTF-8 text, serialised by pydantic: ~5x faster than json.dumps of `to_row()` (every
        message that keeps a conversation writes one; docs/benchmarks.md 21.4). A lone surrogate, which UTF-8
        cannot hold, is escaped by json.dumps instead, as storage/jsontext.py does for any JSON column."""
        try:
            return self.model_dump_json()
        except PydanticSerializationError:
            return json.dumps(self.to_row())

    @classmethod
    def _validated(cls, data: Any) -> Self:
        if isinstance(data, str | bytes):
            try:
                return cls.model_validate_json(data)
            except ValidationError:
                # pydantic's parser refuses what json.loads reads (an escaped lone surrogate, stored since
                # storage/jsontext.py escapes it): such a row, or one that does not fit, is read as before.
                data = json.loads(data)
        return cls.model_validate(data)

    @classmethod
    def from_row(cls, data: Any) -> Self:
        """The stored state, validated whoever wrote it (an older release, a hand edit). The column's text, when the
        read kept it as text, is parsed by pydantic in one pass: half the CPU of json.loads and then validating."""
        try:
            state = cls._validated(data)
        except ValidationError as error:
            raise StateUnreadable(f"{cls.FLOW}: {error.error_count()} field(s) do not fit") from error
        except json.JSONDecodeError as error:
            raise StateUnreadable(f"{cls.FLOW}: not JSON") from error
        missing = [name for name in cls.NEEDS.get(state.step, ()) if getattr(state, name) is None]
        if missing:
            raise StateUnreadable(f"{cls.FLOW}:{state.step} lacks {', '.join(missing)}")
        return state
