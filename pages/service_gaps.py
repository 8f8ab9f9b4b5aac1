"""Service gaps: placeholder until its issue lands; renders the shell and says what is coming."""

from resettlement.ui import components, shell

ctx = shell.context()
shell.page_title("gaps", ctx)
components.coming_soon(ctx.lang, ["soon.gaps_1","soon.gaps_2","soon.gaps_3"])
