"""Reminders: what is due when (pure), the sending calendar, and the scheduler tick."""
