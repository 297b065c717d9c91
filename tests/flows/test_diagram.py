"""The diagram in docs/conversation.md is the current render of the table."""

from __future__ import annotations

from pathlib import Path

from flows import diagram
from flows.machine import FALLBACKS, TRANSITIONS
from flows.types import Step

DOC = Path(__file__).resolve().parents[2] / "docs" / "conversation.md"


def test_doc_embeds_exactly_the_current_diagram():
    document = DOC.read_text(encoding="utf-8")
    assert diagram.embedded(document) == diagram.render(), (
        "docs/conversation.md is out of date: "
        "run python -m flows.diagram --write docs/conversation.md"
    )
    assert document.count(diagram.BEGIN) == 1 and document.count(diagram.END) == 1


def test_every_step_and_row_appears():
    rendered = diagram.render()
    assert rendered.startswith("stateDiagram-v2\n")
    for step in Step:
        assert f" {step.value} " in rendered or f" {step.value}:" in rendered
    for row in TRANSITIONS.values():
        for trigger, transition in row.items():
            assert diagram.trigger_name(trigger, transition) in rendered
    for trigger, transition in FALLBACKS.items():
        assert diagram.trigger_name(trigger, transition) in rendered


def test_embed_replaces_and_is_idempotent():
    doc = f"intro\n\n{diagram.BEGIN}\nold\n{diagram.END}\noutro\n"
    once = diagram.embed(doc, "stateDiagram-v2\n")
    assert diagram.embed(once, "stateDiagram-v2\n") == once
    assert once.startswith("intro") and once.endswith("outro\n")
    assert diagram.embedded(once) == "stateDiagram-v2\n"


def test_embed_appends_when_markers_are_missing():
    assert diagram.embedded(diagram.embed("# Title\n", "x\n")) == "x\n"


def test_main_prints_and_writes(tmp_path, capsys):
    assert diagram.main([]) == 0
    assert capsys.readouterr().out == diagram.render()
    target = tmp_path / "doc.md"
    target.write_text("# doc\n", encoding="utf-8")
    assert diagram.main(["--write", str(target)]) == 0
    assert diagram.embedded(target.read_text(encoding="utf-8")) == diagram.render()
    assert diagram.main(["--bogus"]) == 2
