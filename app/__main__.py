"""`python -m app` is the `genba` command."""

from app.cli import main

main()
