"""Persistence: SQLModel tables, repositories, migrations, the job queue and the blob store.

Nothing here talks to LINE or decodes images; transactions are opened by the caller.
"""
