"""LINE I/O: the webhook endpoint, event translation, the LINE API client and reply rendering."""
