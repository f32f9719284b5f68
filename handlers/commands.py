"""Recognising commands: "/baocao", "/baocao@bot", and typed words like "bao cao" or "báo cáo"."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.roles import ADMIN, CHAIR, REPORTER, STAFF
from handlers.vnparse import fold

# Every command and the folded phrases that also call it when typed without the slash.
ALIASES: dict[str, tuple[str, ...]] = {
    "start": ("start", "bat dau"),
    "baocao": ("baocao", "bao cao", "gui bao cao", "report"),
    "cuatoi": ("cuatoi", "cua toi", "bao cao cua toi", "my reports"),
    "trogiup": ("trogiup", "tro giup", "giup", "huong dan", "help"),
    "ngonngu": ("ngonngu", "ngon ngu", "language"),
    "huy": ("huy", "huy bo", "cancel"),
    "moi": ("moi", "tao ma moi", "invite"),  # bare "mới" (new) is an answer, hence the slash-only "moi"
}
SLASH_ONLY = frozenset({"moi"})
PHRASES = sorted(((phrase, name) for name, phrases in ALIASES.items() for phrase in phrases),
                 key=lambda item: -len(item[0]))

# Who may use which command; anything absent is open to every registered person.
ALLOWED: dict[str, frozenset[str]] = {
    "baocao": frozenset({ADMIN, CHAIR, STAFF, REPORTER}),
    "cuatoi": frozenset({ADMIN, CHAIR, STAFF, REPORTER}),
    "moi": frozenset({ADMIN, CHAIR, STAFF}),
}


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # the canonical name, or the unknown word after a slash
    args: str
    known: bool


def parse_command(text: str) -> Command | None:
    """The command in a message, or None when the message is an ordinary answer."""
    stripped = text.strip()
    if stripped.startswith("/"):
        head, _, args = stripped[1:].partition(" ")
        word = fold(head.split("@", 1)[0])
        for name, phrases in ALIASES.items():
            if word.replace(" ", "") in (p.replace(" ", "") for p in phrases):
                return Command(name, args.strip(), True)
        return Command(word, args.strip(), False)
    folded = fold(stripped)
    for phrase, name in PHRASES:
        if phrase in SLASH_ONLY:
            continue
        if folded == phrase or (name == "start" and folded.startswith(phrase + " ")):
            return Command(name, stripped[len(phrase):].strip() if folded != phrase else "", True)
    return None


def allowed(command: str, role: str | None) -> bool:
    return role is not None and (command not in ALLOWED or role in ALLOWED[command])
