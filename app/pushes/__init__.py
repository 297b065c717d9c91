"""Pushes to workers: the outbox component, feedback on publication, reminders and digests."""
