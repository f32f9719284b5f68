"""Which channels `mttq-bot run` starts: one line per platform, each built only if configured."""

from __future__ import annotations

from bot.app import App
from bot.runner import Channel


def configured_channels(app: App) -> list[Channel]:
    """The channels whose tokens are set; platform libraries are imported only when used."""
    channels: list[Channel] = []
    zalo_token = app.settings.zalo_bot_token.get_secret_value() if app.settings.zalo_bot_token else ""
    if zalo_token:
        from bot.channels.zalo import ZaloChannel

        channels.append(ZaloChannel(app, zalo_token))
    if app.settings.telegram_bot_token and app.settings.telegram_bot_token.get_secret_value():
        from bot.channels.telegram.channel import TelegramChannel

        channels.append(TelegramChannel(app))
    return channels
