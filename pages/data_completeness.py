"""Data completeness: placeholder until its issue lands; renders the shell and says what is coming."""

from resettlement.ui import components, shell

ctx = shell.context()
shell.page_title("completeness", ctx)
components.coming_soon(ctx.lang, ["soon.completeness_1","soon.completeness_2","soon.completeness_3"])
