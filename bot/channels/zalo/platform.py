"""What Zalo is to the bot: its channel name and what its Bot API can carry (docs/zalo.md)."""

from __future__ import annotations

from bot.channels.base import ChannelLimits

CHANNEL = "zalo"
# Text and captions up to 2000 characters; no buttons; no files, so documents go as signed links to the
# bot's web server; photos only by public URL. Zalo publishes no photo size: 5 MB is the cap its docs suggest
# for fetching users' photos from the expiring media URLs.
LIMITS = ChannelLimits(text=2000, caption=2000, photo_bytes=5 * 1024 * 1024, buttons=False, files=False)
