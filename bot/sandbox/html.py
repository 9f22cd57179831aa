"""Telegram's HTML parse mode, as far as the sandbox needs it: validate tags, get the visible text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}
ENTITY_RE = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class EntityParseError(ValueError):
    pass


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')
        if tag == "a" and not dict(attrs).get("href"):
            raise EntityParseError("Can't parse entities: a tag without href")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            expected = self.stack[-1] if self.stack else ""
            raise EntityParseError(f'Unmatched end tag at byte offset {self._offset()}, expected "</{expected}>", found "</{tag}>"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def _offset(self) -> int:
        return self.getpos()[1]


def html_to_text(source: str) -> str:
    """The text a person sees for an HTML-formatted message; raises EntityParseError like Telegram."""
    if ENTITY_RE.search(source) and "&" in source:
        # Telegram accepts only &lt; &gt; &amp; &quot; and numeric references.
        match = ENTITY_RE.search(source)
        tail = source[match.start():match.start() + 10] if match else ""
        if re.match(r"&[a-zA-Z]+;", tail):
            raise EntityParseError(f"Unsupported HTML entity at byte offset {match.start() if match else 0}")
    parser = _Parser()
    parser.feed(source)
    parser.close()
    if parser.stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
