"""The yearly plan as data: schema, loader, and quarter/deadline math."""
