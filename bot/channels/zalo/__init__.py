"""The Zalo channel: our own async Bot API client, polling or webhook, text-only rendering, a monthly budget."""

from bot.channels.zalo.channel import ZaloChannel

__all__ = ["ZaloChannel"]
