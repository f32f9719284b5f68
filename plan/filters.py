"""A filter on a report's answers (`where:` in the plan), shared by indicators and timeline rows."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Where(BaseModel):
    """Counts only reports whose answer to `field` equals `equals` (an option id, or true/false), or is one
    of `one_of` (option ids). Exactly one of the two is given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)  # a field id of the form
    equals: str | bool | None = None
    one_of: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_one_test(self) -> Where:
        if (self.equals is None) == (not self.one_of):
            raise ValueError(f"where on '{self.field}' takes exactly one of 'equals' or 'one_of'")
        return self

    def accepts(self, answer: object) -> bool:
        if self.one_of:
            return str(answer) in self.one_of
        if isinstance(self.equals, bool):
            return answer is self.equals or answer == self.equals
        return str(answer) == self.equals

    @property
    def values(self) -> tuple[str | bool, ...]:
        return self.one_of or (self.equals,)
