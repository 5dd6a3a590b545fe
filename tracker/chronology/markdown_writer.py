"""The chronology as Markdown: headings, a bullet per dated item, sources as footnotes
(`[^1]`, as GitHub and Pandoc read them)."""

from __future__ import annotations

import re

from tracker.chronology.document import Chronology, Item, Section

#: characters Markdown would read as markup in running text
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#|~])")


def escape(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def write(chronology: Chronology) -> str:
    lines = [f"# {escape(chronology.title)}", ""]
    lines.append(f"**Client:** {escape(chronology.client)}  ")
    lines.append(f"**Period covered:** {escape(chronology.period)}  ")
    lines.append(f"**As of:** {chronology.made_on.isoformat()}")
    if chronology.pseudonymised:
        lines += ["", "_Names of people are replaced by their initials._"]
    for section in chronology.sections:
        lines += ["", *_section(section)]
    if chronology.notes:
        lines += ["", "## Sources", ""]
        for note in chronology.notes:
            text = escape(note.text)
            if note.url and note.text.strip() != note.url:
                text += f" <{note.url}>"
            elif note.url:
                text = f"<{note.url}>"
            lines.append(f"[^{note.number}]: {text}")
    return "\n".join(lines) + "\n"


def _section(section: Section) -> list[str]:
    lines = [f"## {escape(section.heading)}", ""]
    facts = [section.kind, f"client's role: {section.role.lower()}", section.period]
    if section.authority:
        facts.insert(1, f"authority: {section.authority}")
    if section.reference:
        facts.insert(1, f"case no. {section.reference}")
    lines.append(escape("; ".join(facts)) + ".")
    for link in section.links:
        lines.append("")
        lines.append(escape(link[:1].upper() + link[1:]) + ".")
    if section.items:
        lines.append("")
        lines += [f"- {_item(item)}" for item in section.items]
    if section.delays:
        lines += ["", f"**Delays.** {escape(section.delays)}"]
    return lines


def _item(item: Item) -> str:
    mark = f"[^{item.note}]" if item.note else ""
    return f"**{item.written}**: {escape(item.text)}{mark}"
