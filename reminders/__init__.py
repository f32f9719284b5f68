"""Reminders: what is due when (pure) and the scheduler tick; the sending calendar is plan/calendar.py."""
