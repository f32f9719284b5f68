"""One module per feature: the conversations users have with the bot."""
