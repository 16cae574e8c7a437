"""The completion chart printed in a bulletin's .docx (matplotlib)."""
from __future__ import annotations

import io
from typing import Any


def chart_png(chart: dict[str, Any]) -> bytes:
    """A bar chart of the chart's values. Bars are numbered (the caption lists the names),
    so the image needs no CJK font on the server."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    values = chart["values"]
    figure = Figure(figsize=(7, 3), dpi=150)
    axes = figure.subplots()
    positions = list(range(1, len(values) + 1))
    axes.bar(positions, values, color="#c0392b")
    axes.set_xticks(positions, [str(p) for p in positions], fontsize=7)
    axes.set_ylim(0, max([100, *values]))
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
