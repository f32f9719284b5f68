"""A bad setting as one line in the deployment's language: the variable, then what is wrong (locales/, config.*).

Settings are read before anything else, so the language to say it in is read on its own (DEFAULT_LANGUAGE from
the environment or `.env`, Vietnamese when that is missing or bad too).
"""

from __future__ import annotations

import typing
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from core.i18n import LANGUAGES, Translate, Translator

LOCALES = Path(__file__).resolve().parent.parent / "locales"


class SettingProblem(ValueError):
    """Raised by a settings validator: what is wrong, as a msgid of locales/ and its values."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid)
        self.msgid, self.params = msgid, params


class ConfigError(Exception):
    """A setting with a bad value; `line(t)` is one line naming the variable, in the language of `t`."""

    def __init__(self, variable: str, msgid: str, **params: object) -> None:
        self.variable, self.msgid, self.params = variable, msgid, params
        super().__init__(variable, msgid)

    def line(self, t: Translate) -> str:
        return f"{self.variable}: {' '.join(t(self.msgid, **self.params).split())}"

    def __str__(self) -> str:  # logs and tracebacks: the deployment's language too
        return self.line(deployment_language())


class _Language(BaseSettings):
    """Only the language of the deployment, read the way Settings reads it."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)
    default_language: str = "vi"


def deployment_language() -> Translate:
    """The translate function of DEFAULT_LANGUAGE, for what is said before (or without) valid settings."""
    try:
        language = _Language().default_language
    except Exception:  # an unreadable .env: its own error is reported by Settings
        language = "vi"
    return _translator().for_language(language if language in LANGUAGES else "vi")


@cache
def _translator() -> Translator:
    return Translator(LOCALES)


# pydantic's own error types → (msgid, the context value it needs as "limit")
BUILT_IN = {
    "greater_than_equal": ("config.at_least", "ge"), "greater_than": ("config.more_than", "gt"),
    "less_than_equal": ("config.at_most", "le"), "less_than": ("config.less_than", "lt"),
    "int_parsing": ("config.integer", None), "int_from_float": ("config.integer", None),
    "int_type": ("config.integer", None), "float_parsing": ("config.number", None),
    "float_type": ("config.number", None), "bool_parsing": ("config.yes_no", None),
    "date_parsing": ("config.date", None), "date_from_datetime_parsing": ("config.date", None),
    "time_parsing": ("config.time", None), "time_type": ("config.time", None),
}


def config_error(error: dict[str, Any], fields: dict[str, Any]) -> ConfigError:
    """The first error of a pydantic ValidationError as a ConfigError."""
    variable = str(error["loc"][0]).upper() if error["loc"] else ""
    problem = (error.get("ctx") or {}).get("error")
    if isinstance(problem, SettingProblem):
        # a rule across settings names its variable itself (its params carry it)
        return ConfigError(str(problem.params.pop("variable", variable or "SETTINGS")), problem.msgid,
                           **problem.params)
    kind = error["type"]
    if kind == "literal_error" and variable.lower() in fields:
        return ConfigError(variable, "config.one_of", values=", ".join(_literals(fields[variable.lower()].annotation)))
    if kind in BUILT_IN:
        msgid, limit = BUILT_IN[kind]
        return ConfigError(variable, msgid, limit=error["ctx"][limit]) if limit else ConfigError(variable, msgid)
    detail = str(problem) if problem is not None else error["msg"]  # e.g. a holidays file's own line and entry
    return ConfigError(variable or "SETTINGS", "config.invalid", detail=detail.removeprefix("Value error, "))


def _literals(annotation: Any) -> list[str]:
    values = []
    for arg in typing.get_args(annotation):
        values.extend(_literals(arg) if typing.get_args(arg) else [arg] if isinstance(arg, str) else [])
    return values
