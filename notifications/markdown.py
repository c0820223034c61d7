"""An email's content in GOV.UK Notify's own Markdown, for the one plain Notify template.

Notify sends its own HTML, so none of ours goes: the body is the email's text part, which the
same templates render from the same content as the HTML part, written in the few marks
Notify formats: ``#`` headings, ``*`` bullets, ``^`` inset text and ``[text](url)`` links.
The text part's conventions make that exact: a section heading is a line of capitals on its
own after a blank line, an item is a ``- `` line with its details indented under it, and a
link is ``Words: https://...`` at the end of a line. A change to an email's text template
(a new section, a new line under each item) reaches Notify without a change here.

What Notify cannot carry is said in words with a link: an attached file (the digest's
spreadsheet) becomes a link to that same file, kept with the digest in the workspace. The
digest's chart needs nothing: its figures are in the text and its page in the workspace
(linked at the top) draws it.
"""

import calendar
import re

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from notifications.links import absolute

_LINK_AT_END = re.compile(r"^(?P<indent>\s*)(?P<words>[^\s:][^:]*?): (?P<url>https?://\S+)$")
_WORD = re.compile("[A-Za-z][A-Za-z'\u2019-]*")
# A capital after these starts a sentence or a clause ("Level 1, The lead"), not a name.
_SENTENCE_END = re.compile(r"[.,:;!?)]$")
# The plan's abbreviations, written in capitals wherever they stand.
_ABBREVIATIONS = {"SEND", "SEN", "RAG", "EHC", "NHS", "ICB", "CQC", "WSOA", "XLSX"}
_CALENDAR = {name for name in (*calendar.day_name, *calendar.month_name) if name}


def notify_markdown(message: EmailMultiAlternatives, *, files_url: str | None = None) -> str:
    """The body to send as the template's ``((body))``; ``files_url`` is where the files the
    email would have attached can be downloaded instead."""
    text = re.sub(r"\n{3,}", "\n\n", str(message.body)).strip("\n")
    lines = text.split("\n")
    capitals = _proper_words(str(message.subject), lines)
    out: list[str] = []
    for number, line in enumerate(lines):
        after_blank = number == 0 or not lines[number - 1].strip()
        if after_blank and _is_heading(line):
            out.append("# " + _sentence_case(line.strip(), capitals))
        elif line.startswith("- "):
            if out and out[-1].strip() and not _in_list(out[-1]):
                # A list starts a block of its own in Notify's Markdown.
                out.append("")
            out.append("* " + _linked(line[2:]))
        else:
            out.append(_linked(line))
    if message.attachments:
        out = _without_attachments(out, files_url)
    return "\n".join(out) + "\n"


def _in_list(line: str) -> bool:
    return line.startswith(("* ", "  "))


def _is_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and line == line.upper() and not line.startswith(("-", " "))


def _linked(line: str) -> str:
    """``Update it: https://...`` as ``[Update it](https://...)``."""
    found = _LINK_AT_END.match(line)
    if found is None or "](" in line:
        return line
    return f"{found['indent']}[{found['words']}]({found['url']})"


def _proper_words(subject: str, lines: list[str]) -> set[str]:
    """Words the email writes with a capital inside a sentence and never in lower case (names,
    SEND), from the subject and every line that is not a heading: a heading keeps them."""
    found = set(_CALENDAR) | _ABBREVIATIONS
    lower: set[str] = set()
    for line in [subject, *lines]:
        if _is_heading(line):
            continue
        words = line.split()
        for position, word in enumerate(words):
            core = _WORD.search(word)
            if core is None:
                continue
            if core.group().islower():
                lower.add(core.group())
            elif position and not _SENTENCE_END.search(words[position - 1]):
                found.add(core.group())
    return {word for word in found if word.lower() not in lower}


def _sentence_case(heading: str, capitals: set[str]) -> str:
    by_upper = {word.upper(): word for word in capitals}

    def one(match: re.Match[str]) -> str:
        word = match.group()
        return by_upper.get(word.upper(), word.lower())

    cased = _WORD.sub(one, heading)
    return cased[:1].upper() + cased[1:]


def _without_attachments(lines: list[str], files_url: str | None) -> list[str]:
    """A line saying what is attached becomes where to get it; if none says, one is added."""
    if files_url:
        note = (
            "^ Files cannot be attached to these emails. Download the spreadsheet from the "
            f"workspace: [the action list that goes with this email]({files_url})"
        )
    else:
        where = absolute(reverse("workspace:plans"))
        note = (
            "^ Files cannot be attached to these emails. Open the plan in the workspace to "
            f"download its action list as a spreadsheet: [your plans]({where})"
        )
    replaced = [note if "attached" in line.lower() else line for line in lines]
    if note in replaced:
        return replaced
    return [*lines, "", note]
