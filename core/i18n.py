"""User-facing text: gettext catalogs from locales/*.po, compiled in memory at start-up."""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
DOMAIN = "mttq"

Translate = Callable[..., str]


class Translator:
    """Message catalogs for every language; `for_language(lang)(msgid, **params)` gives the text."""

    def __init__(self, locales_dir: Path, default_language: str = "vi") -> None:
        self.default_language = default_language
        self._catalogs = {lang: _compile(locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po")
                          for lang in LANGUAGES}

    def for_language(self, language: str | None) -> Translate:
        catalog = self._catalogs.get(language or "", self._catalogs[self.default_language])

        def translate(msgid: str, **params: object) -> str:
            text = catalog.gettext(msgid)
            return text.format(**params) if params else text

        return translate

    def msgids(self, language: str) -> set[str]:
        return set(self._catalogs[language]._catalog)


def _compile(po_path: Path) -> gettext.GNUTranslations:
    # Compiling at start-up keeps binaries out of the repository and the .po files the only source.
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=po_path.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
