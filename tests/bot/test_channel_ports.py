"""The narrow ports between the app and channel adapters (issue 13, point 4), held by tests."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.channels.base import ChannelLimits
from bot.channels.console import LIMITS as CONSOLE
from bot.channels.telegram.platform import LIMITS as TELEGRAM
from bot.channels.text_menu import as_caption, text_pieces
from bot.channels.zalo.platform import LIMITS as ZALO
from core.messages import Choice, Reply

CHANNELS = Path(__file__).resolve().parents[2] / "bot" / "channels"


def _modules():
    for path in sorted(CHANNELS.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_adapters_never_import_the_app_or_the_runner():
    for path, tree in _modules():
        if path.name == "registry.py":  # the wiring that builds each adapter's host from the app
            continue
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not imported & {"bot.app", "bot.runner", "handlers.pipeline"}, path


def test_platform_limits_and_names_are_written_once_as_data():
    """No module keeps its own copy of a channel's name or a length/size constant."""
    for path, tree in _modules():
        names = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}
        if path.name != "platform.py" and path.name != "console.py":
            assert "CHANNEL" not in names, path
        assert not names & {"MAX_TEXT", "MAX_CAPTION", "MAX_PHOTO_BYTES", "TEXT_LIMIT", "MAX_DOWNLOAD"}, path


def test_the_limits_say_what_each_platform_can_carry():
    assert (ZALO.text, ZALO.caption, ZALO.buttons, ZALO.files) == (2000, 2000, False, False)
    assert (TELEGRAM.text, TELEGRAM.caption, TELEGRAM.buttons, TELEGRAM.files) == (4096, 1024, True, True)
    assert not CONSOLE.buttons and not CONSOLE.files


def test_the_neutral_renderer_cuts_to_the_limits_it_is_given():
    tiny = ChannelLimits(text=40, caption=10, photo_bytes=1, buttons=True, files=True)
    t = lambda key, **kw: f"[{key}]"  # noqa: E731
    reply = Reply("Mot hai ba bon nam sau bay tam chin muoi " * 3, choices=(Choice("a", "Có"),))
    pieces = text_pieces(reply, t, tiny)
    assert len(pieces) > 1 and all(len(piece) <= 40 for piece in pieces)
    assert pieces[-1].endswith("[menu.type_number_one]")  # choices are numbered under buttons too
    assert not as_caption(Reply("ngắn", choices=(Choice("a", "Có"),)), ["ngắn"], tiny)  # buttons need a message
    assert as_caption(Reply("ngắn"), ["ngắn"], tiny) and not as_caption(Reply("x" * 11), ["x" * 11], tiny)


def test_menu_role_is_a_typed_field_and_old_outbox_rows_still_read():
    reply = Reply("Chào", menu_role="chair")
    assert Reply.from_payload(reply.to_payload()) == reply
    queued_before = {"text": "Chào", "choices": [], "document": None, "photo": None, "language": "vi",
                     "meta": {"menu_role": "staff"}}
    old = Reply.from_payload(queued_before)
    assert old.menu_role == "staff" and old.meta == {}
