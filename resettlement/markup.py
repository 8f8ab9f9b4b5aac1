"""Imported text shown as plain text, never as Markdown or HTML.

RRP names, file names and error details come from outside: shown through ``st.markdown`` (and ``st.caption``,
``st.header``, alerts...) an RRP called ``![x](http://host/x.png)`` would make every viewer's browser fetch an outside
address (the app is meant to work offline), ``[y](http://...)`` or ``www.host`` would be a live link and
``:red[...]`` or ``$x$`` would change the page. Plotly legends, hover text and axis labels, and pydeck tooltips, read
a subset of HTML. So:

- :func:`md` escapes a value before it goes into Markdown: every character Markdown or Streamlit's extensions give a
  meaning (links, images, emphasis, HTML, directives, icons, maths, autolinks) gets a backslash, and line breaks
  become spaces;
- :func:`html` escapes a value before it goes into Plotly or pydeck text (``<``, ``>``, ``&``).

Catalog text is the app's own and keeps its Markdown: escape only the values put into it.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Mapping
from typing import TypeVar

K = TypeVar("K")

#: Characters that mean something to Markdown (CommonMark, GFM) or to Streamlit's extensions anywhere in a line.
MARKDOWN_SPECIAL = "\\`*_{}[]()<>#!|~:$&@.^"
#: Characters that mean something only at the start of a line (lists, headings, quotes, rules).
LINE_START_SPECIAL = "-+="
_SPECIAL = re.compile("[" + re.escape(MARKDOWN_SPECIAL) + "]")
_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\x85\u2028\u2029]+")


def md(text: object) -> str:
    """``text`` as literal characters in Markdown: special characters escaped, line breaks made spaces."""
    value = _BREAKS.sub(" ", str(text))
    value = _SPECIAL.sub(lambda m: "\\" + m.group(0), value)
    if value[:1] and value[0] in LINE_START_SPECIAL:
        value = "\\" + value
    return value


def html(text: object) -> str:
    """``text`` as literal characters in HTML (Plotly labels, pydeck tooltips)."""
    return _html.escape(str(text), quote=False)


def md_values(names: Mapping[K, str]) -> dict[K, str]:
    """Each value of ``names`` escaped for Markdown."""
    return {k: md(v) for k, v in names.items()}


def html_values(names: Mapping[K, str]) -> dict[K, str]:
    """Each value of ``names`` escaped for HTML (chart labels)."""
    return {k: html(v) for k, v in names.items()}
