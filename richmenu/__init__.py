"""The rich menu under the chat, as code: its layout, its image, LINE's rules and its deployment.

`layout` holds the areas as data, `render` draws the image with a Japanese font (`fonts`),
`rules` checks everything LINE checks before anything is sent, and `deploy` makes the menu on
LINE the default, idempotently, through `client`.
"""
