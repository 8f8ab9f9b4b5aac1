"""Pathway needs: placeholder until its issue lands; renders the shell and says what is coming."""

from resettlement.ui import components, shell

ctx = shell.context()
shell.page_title("needs", ctx)
components.coming_soon(ctx.lang, ["soon.needs_1","soon.needs_2","soon.needs_3"])
