"""Render the conversation table as a Mermaid `stateDiagram-v2`, so the picture cannot drift.

`render()` is pure. Run `python -m flows.diagram` to print the diagram, or
`python -m flows.diagram --write docs/conversation.md` to refresh it between the markers there;
only that command-line entry touches a file.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from flows.intents import Intent
from flows.machine import ENTRY, FALLBACKS, TRANSITIONS, Transition, Trigger
from flows.reprompt import MAX_STRIKES
from flows.resume import RESUMABLE
from flows.types import Step

BEGIN = "<!-- BEGIN GENERATED DIAGRAM: python -m flows.diagram --write docs/conversation.md -->"
END = "<!-- END GENERATED DIAGRAM -->"
ANY = "any_step"
_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd"}


def trigger_name(trigger: Trigger, transition: Transition) -> str:
    """Name a table key for the diagram: its label, `tap <intent>`, or the input type's name."""
    if transition.label:
        return transition.label
    if isinstance(trigger, Intent):
        return f"tap {trigger.value}"
    return trigger.__name__.removesuffix("Received").lower()


def _edges(source: str, row: Mapping[Trigger, Transition]) -> list[str]:
    lines: list[str] = []
    for trigger, transition in row.items():
        name = trigger_name(trigger, transition)
        targets = transition.to or ((Step(source),) if source != ANY else ())
        for target in targets:
            when = transition.when.get(target)
            label = f"{name} — {when}" if when else name
            lines.append(f"    {source} --> {target.value}: {label}")
    return lines


def render() -> str:
    """Return the Mermaid source of the whole conversation."""
    strike = _ORDINAL.get(MAX_STRIKES, f"{MAX_STRIKES}th")
    lines = ["stateDiagram-v2", f"    [*] --> {Step.IDLE.value}"]
    lines += _edges(Step.IDLE.value, ENTRY)
    for step, row in TRANSITIONS.items():
        if row is not ENTRY:
            lines += _edges(step.value, row)
    # The pause rules live in code (flows.machine, flows.reprompt), not in the rows.
    for step in sorted(RESUMABLE, key=list(Step).index):
        lines.append(f"    {step.value} --> resume: idle timeout, {strike} unexpected input")
    lines.append(f"    confirm_idea --> idle: idle timeout, {strike} unexpected input")
    lines.append(f'    state "any step" as {ANY}')
    lines += _edges(ANY, FALLBACKS)
    in_place = [trigger_name(t, tr) for t, tr in FALLBACKS.items() if not tr.to]
    lines += [
        f"    note right of {ANY}",
        "        in any step; after the answer the open question is asked again:",
        *(f"        {', '.join(in_place[i : i + 4])}" for i in range(0, len(in_place), 4)),
        "    end note",
    ]
    return "\n".join(lines) + "\n"


def embed(document: str, diagram: str) -> str:
    """Put the diagram between the markers of a Markdown document (added at the end if missing)."""
    block = f"{BEGIN}\n```mermaid\n{diagram}```\n{END}"
    start, end = document.find(BEGIN), document.find(END)
    if start == -1 or end < start:
        return document.rstrip("\n") + "\n\n" + block + "\n"
    return document[:start] + block + document[end + len(END) :]


def embedded(document: str) -> str | None:
    """Return the diagram currently between a document's markers, if any."""
    start, end = document.find(BEGIN), document.find(END)
    if start == -1 or end < start:
        return None
    inner = document[start + len(BEGIN) : end].strip("\n")
    return inner.removeprefix("```mermaid\n").removesuffix("```")


def main(argv: Sequence[str]) -> int:
    """Print the diagram, or with `--write FILE` refresh it inside FILE."""
    diagram = render()
    if not argv:
        sys.stdout.write(diagram)
        return 0
    if len(argv) != 2 or argv[0] != "--write":
        sys.stderr.write("usage: python -m flows.diagram [--write FILE]\n")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            document = f.read()
    except FileNotFoundError:
        document = ""
    with open(argv[1], "w", encoding="utf-8") as f:
        f.write(embed(document, diagram))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
