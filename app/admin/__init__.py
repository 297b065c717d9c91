"""The admin API under /api/v1: themes, submissions, media downloads and jobs."""
