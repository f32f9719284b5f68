"""The Telegram channel (python-telegram-bot's Bot as a thin client): parse, render, poll or webhook."""
