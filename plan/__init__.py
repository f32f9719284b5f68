"""The yearly plan as data: schema, loader, quarter/deadline math and the sending calendar."""
