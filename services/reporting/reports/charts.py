"""Charts for reports (matplotlib, headless). Chinese labels need a CJK font; Debian's
``fonts-wqy-microhei`` or ``fonts-noto-cjk`` provide one."""

from __future__ import annotations

import io
from functools import cache

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

_CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)


@cache
def cjk_font_family() -> str | None:
    installed = {font.name for font in font_manager.fontManager.ttflist}
    if not installed.intersection(_CJK_FAMILIES):
        # The font cache may predate the font's installation: look on disk.
        for path in font_manager.findSystemFonts():
            lowered = path.lower()
            if any(mark in lowered for mark in ("wqy", "cjk", "droidsansfallback", "uming")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in installed:
            return family
    return None


def bar_chart_png(title: str, labels: list[str], values: list[float]) -> bytes:
    family = cjk_font_family()
    shown = labels if family else [f"C{i + 1}" for i in range(len(labels))]
    # A bare Figure, not pyplot: no global figure registry, safe from any thread.
    figure = Figure(figsize=(7, 3.6), dpi=120)
    axes = figure.subplots()
    bars = axes.bar(shown, values, color="#b22222")
    axes.bar_label(bars, labels=[str(int(v)) for v in values])
    if family:
        for text in (*axes.get_xticklabels(), axes.title):
            text.set_fontfamily(family)
        axes.set_title(title, fontfamily=family)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
