"""Outcomes: placeholder until its issue lands; renders the shell and says what is coming."""

from resettlement.ui import components, shell

ctx = shell.context()
shell.page_title("outcomes", ctx)
components.coming_soon(ctx.lang, ["soon.outcomes_1","soon.outcomes_2","soon.outcomes_3"])
