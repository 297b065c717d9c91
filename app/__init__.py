"""The composition root: settings, the app factory, the worker, the CLI and the admin API."""
