"""The PNG chart: each indicator's year-to-date progress toward its target, as horizontal bars.

matplotlib is imported inside the function (it costs about a second) and used through its
object API with the Agg canvas: no pyplot global state, safe in a server process.
"""

from __future__ import annotations

import io
import textwrap

from core.i18n import Translate
from summaries.model import Summary
from summaries.text_util import fmt_number, period_label, xml_safe

WIDTH_PX, HEIGHT_PX, DPI = 1200, 900, 100
CAP = 120.0  # bars longer than 120% of the target are drawn to the edge, with the true number shown
REACHED, OPEN = "#2e7d32", "#ef6c00"


def render_chart(summary: Summary, t: Translate, language: str = "vi") -> bytes:
    """PNG bytes of exactly WIDTH_PX × HEIGHT_PX; labels in DejaVu Sans, which covers Vietnamese."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.42, 0.08, 0.53, 0.84))
    results = list(reversed(summary.indicators))  # the plan's first indicator on top
    raw = [r.year_to_date.progress(r.target) for r in results]
    progress = [p or 0.0 for p in raw]
    labels = [_label(r.id, r.label_en if language == "en" else r.label_vi) for r in results]
    colours = [REACHED if r.status == "dat" else OPEN for r in results]
    positions = range(len(results))
    axes.barh(list(positions), [min(p, CAP) for p in progress], color=colours, height=0.6)
    axes.axvline(100, color="#333333", linewidth=1, linestyle="--")
    for y, value in zip(positions, raw, strict=True):
        shown = "—" if value is None else fmt_number(value, decimals=0) + "%"
        axes.text(min(value or 0.0, CAP) + 1.5, y, shown, va="center", fontsize=9, family="DejaVu Sans")
    axes.set_yticks(list(positions), labels, fontsize=8, family="DejaVu Sans")
    axes.set_xlim(0, CAP + 15)
    axes.set_xlabel(xml_safe(t("chart.axis")), family="DejaVu Sans")
    axes.set_title(xml_safe(t("chart.title", period=period_label(t, summary.period),
                              commune=summary.commune_name)), fontsize=12, family="DejaVu Sans")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _label(indicator_id: str, label: str) -> str:
    lines = textwrap.wrap(f"{indicator_id}. {xml_safe(label)}", 55)
    if len(lines) > 2:
        lines = [lines[0], lines[1][:52].rstrip() + "…"]
    return "\n".join(lines)
