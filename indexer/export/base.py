"""What every format writer shares: the counters an export reports and the JSON encoding rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class ExportStats:
    """Counters of one export, for the summary line and the tests."""

    format: str
    written: int = 0  # providers written
    omitted_no_location: int = 0  # GeoJSON only: providers without usable coordinates
    seconds: float = 0.0
    path: str | None = None  # None for stdout

    def summary(self) -> str:
        where = self.path or "stdout"
        line = f"exported {self.written} provider{'s' if self.written != 1 else ''} as {self.format} to {where}"
        if self.omitted_no_location:
            line += f" ({self.omitted_no_location} without coordinates omitted)"
        return f"{line} in {self.seconds:.1f}s"


def dumps(value: Any) -> str:
    """Compact UTF-8 JSON; NaN/Infinity refused; U+2028/U+2029 escaped so no reader sees a line break there."""
    out = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
