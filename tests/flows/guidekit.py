"""A small guideline and themes for flow tests, in the shape the caller hands to the flows."""

from __future__ import annotations

from flows.types import GuideCategory, GuideEntry, Guideline, Theme

GUIDE = Guideline(
    version=2,
    categories=(
        GuideCategory("ok", "撮ってOKなもの"),
        GuideCategory("customers", "お客様の顔"),
        GuideCategory("badges", "名札"),
    ),
    entries=(
        GuideEntry(
            "ok", "手元はOK", "手元や道具はどんどん撮ってください。", ("手元", "道具", "hands")
        ),
        GuideEntry(
            "customers",
            "お客様の顔は写さない",
            "後ろ姿ならOK。",
            ("お客様", "顔", "customer", "face"),
        ),
        GuideEntry("badges", "名札は写さない", "名前が読めます。", ("名札", "badge", "name tag")),
    ),
)
MONTHLY = Theme(
    "craft-12", "12月：職人の手元", "手元のアップを送ってください。", "包丁を研ぐ手", True
)
THEMES = (MONTHLY, Theme("event", "イベント"), Theme("safety", "安全の工夫"))
