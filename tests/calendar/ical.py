"""A strict reader of the iCalendar text we write (RFC 5545), for the tests.

It refuses what a careful calendar program might: a line not ended by CRLF, a physical line
over 75 octets, a fold that splits a UTF-8 character, an unknown escape, a component not
closed. It returns the components as nested dicts of property lists.
"""

import re
from dataclasses import dataclass, field

_ESCAPES = {"\\\\": "\\", "\\;": ";", "\\,": ",", "\\n": "\n", "\\N": "\n"}


@dataclass
class Component:
    name: str
    properties: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    children: list["Component"] = field(default_factory=list)

    def get(self, name: str) -> str:
        [value] = [v for n, _, v in self.properties if n == name]
        return value

    def params(self, name: str) -> dict[str, str]:
        [params] = [p for n, p, _ in self.properties if n == name]
        return params

    def text(self, name: str) -> str:
        return unescape(self.get(name))


def unescape(value: str) -> str:
    """A TEXT value read back; an unescaped ; or , or an unknown escape is an error."""
    out = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            pair = char + next(chars, "")
            if pair not in _ESCAPES:
                raise ValueError(f"bad escape {pair!r} in {value!r}")
            out.append(_ESCAPES[pair])
        elif char in ";,":
            raise ValueError(f"unescaped {char!r} in {value!r}")
        else:
            out.append(char)
    return "".join(out)


def physical_lines(data: bytes) -> list[bytes]:
    if not data.endswith(b"\r\n"):
        raise ValueError("the last line does not end with CRLF")
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        if b"\n" in line or b"\r" in line:
            raise ValueError(f"a bare CR or LF in {line!r}")
        if len(line) > 75:
            raise ValueError(f"a line of {len(line)} octets: {line!r}")
        line.decode("utf-8")  # a fold inside a character fails here
    return lines


def parse(data: bytes) -> Component:
    logical: list[str] = []
    for line in physical_lines(data):
        text = line.decode("utf-8")
        if text.startswith((" ", "\t")):
            if not logical:
                raise ValueError("a continuation line first")
            logical[-1] += text[1:]
        else:
            logical.append(text)
    stack: list[Component] = []
    root: Component | None = None
    for content in logical:
        match = re.fullmatch(r"([A-Z0-9-]+)((?:;[A-Z0-9-]+=[^;:,\"]+)*):(.*)", content)
        if match is None:
            raise ValueError(f"not a content line: {content!r}")
        name, raw_params, value = match.groups()
        params = dict(p.split("=", 1) for p in raw_params.split(";")[1:])
        if name == "BEGIN":
            component = Component(value)
            if stack:
                stack[-1].children.append(component)
            elif root is not None:
                raise ValueError("two top-level components")
            else:
                root = component
            stack.append(component)
        elif name == "END":
            if not stack or stack[-1].name != value:
                raise ValueError(f"END:{value} closes nothing")
            stack.pop()
        else:
            if not stack:
                raise ValueError(f"{name} outside any component")
            stack[-1].properties.append((name, params, value))
    if stack or root is None:
        raise ValueError("a component is not closed")
    return root
