"""What Telegram is to the bot: its channel name and what its Bot API can carry (docs/telegram.md)."""

from __future__ import annotations

from bot.channels.base import ChannelLimits

CHANNEL = "telegram"
# 4096 characters a message, 1024 a caption; sendPhoto takes images up to 10 MB (larger ones go as
# documents); inline keyboards; real file uploads; getFile serves files up to 20 MB.
LIMITS = ChannelLimits(text=4096, caption=1024, photo_bytes=10 * 1024 * 1024, buttons=True, files=True,
                       download_bytes=20 * 1024 * 1024)
