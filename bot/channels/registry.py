"""Which channels `mttq-bot run` starts: one line per platform, each built only if configured."""

from __future__ import annotations

from bot.app import App
from bot.channels.base import Channel


def configured_channels(app: App) -> list[Channel]:
    """The channels whose tokens are set, each given the narrow host and its own settings section; platform
    libraries are imported only when used."""
    channels: list[Channel] = []
    zalo = app.settings.zalo_section()
    if zalo.token:
        from bot.channels.zalo import ZaloChannel

        channels.append(ZaloChannel(app.channel_host(zalo)))
    telegram = app.settings.telegram_section()
    if telegram.token:
        from bot.channels.telegram.channel import TelegramChannel

        channels.append(TelegramChannel(app.channel_host(telegram)))
    return channels
