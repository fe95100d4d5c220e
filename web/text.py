"""Plain content text made safe for HTML, with web addresses and e-mail addresses as links.

The same rules as the widget's (static/widget.js): everything is escaped; only http(s) and mailto links
are made, from addresses written in the text.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# An e-mail address, a URL, a www. address or a bare domain with a common TLD (mijngroepsverzekering.vivium.be).
LINK = re.compile(
    r"(?P<email>\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b)"
    r"|(?P<url>\bhttps?://[^\s<>\"']+)"
    r"|(?P<domain>\b(?:www\.)?[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?:be|com|eu|org|net|fr|nl)\b(?:/[^\s<>\"']*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]»’”'\""


def linkify(text: str) -> Markup:
    out = []
    position = 0
    for match in LINK.finditer(text or ""):
        found = match.group(0)
        trimmed = found.rstrip(_TRAILING)
        end = match.start() + len(trimmed)
        out.append(escape(text[position:match.start()]))
        if match.group("email"):
            href = "mailto:" + trimmed
        elif match.group("url"):
            href = trimmed
        else:
            href = "https://" + trimmed
        out.append(Markup('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>').format(href, trimmed))
        position = end
    out.append(escape((text or "")[position:]))
    return Markup("").join(out)
