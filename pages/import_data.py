"""Import data: placeholder until its issue lands; renders the shell and says what is coming."""

from resettlement.ui import components, shell

ctx = shell.context()
shell.page_title("import", ctx)
components.coming_soon(ctx.lang, ["soon.import_1","soon.import_2","soon.import_3"])
