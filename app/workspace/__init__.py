"""The PR team's pages at /admin: sign-in, gallery, review (server-rendered, no JavaScript)."""
