"""Rrp activity: placeholder until its issue lands; renders the shell and says what is coming."""

from resettlement.ui import components, shell

ctx = shell.context()
shell.page_title("rrp", ctx)
components.coming_soon(ctx.lang, ["soon.rrp_1","soon.rrp_2","soon.rrp_3"])
