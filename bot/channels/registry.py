"""Which channels `mttq-bot run` starts: one line per platform, each built only if configured."""

from __future__ import annotations

from bot.app import App
from bot.runner import Channel


def configured_channels(app: App) -> list[Channel]:
    """The channels whose tokens are set; platform libraries are imported only when used."""
    channels: list[Channel] = []
    return channels
