"""Numbers as Chinese prose and pages write them."""
from __future__ import annotations

from fractions import Fraction


def percent_text(value: Fraction | float) -> str:
    """A share as 中文 percent text, one decimal at most: 1 → "100%", 2/3 → "66.7%"."""
    text = f"{float(value) * 100:.1f}".removesuffix(".0")
    return f"{text}%"
