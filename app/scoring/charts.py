"""Calibration charts: a self-contained SVG for people, a Vega-Lite spec for dashboards."""

import math
from typing import Any
from xml.sax.saxutils import escape

from app.scoring.schemas import Calibration

SIZE, MARGIN = 480, 60
PLOT = SIZE - 2 * MARGIN


def _x(p: float) -> float:
    return MARGIN + p * PLOT


def _y(p: float) -> float:
    return SIZE - MARGIN - p * PLOT


def calibration_svg(cal: Calibration) -> str:
    """The diagonal, each bin as a dot sized by its count, 90 % intervals as bars."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" font-family="sans-serif" font-size="12">',
        f'<rect width="{SIZE}" height="{SIZE}" fill="white"/>',
        f'<text x="{SIZE / 2}" y="28" text-anchor="middle" font-size="15">'
        f'{escape(cal.title)} ({cal.scored} scored)</text>',
    ]
    for k in range(11):
        p = k / 10
        parts.append(
            f'<line x1="{_x(p)}" y1="{_y(0)}" x2="{_x(p)}" y2="{_y(1)}" stroke="#eee"/>'
            f'<line x1="{_x(0)}" y1="{_y(p)}" x2="{_x(1)}" y2="{_y(p)}" stroke="#eee"/>'
            f'<text x="{_x(p)}" y="{_y(0) + 16}" text-anchor="middle">{p:.1f}</text>'
            f'<text x="{_x(0) - 8}" y="{_y(p) + 4}" text-anchor="end">{p:.1f}</text>'
        )
    parts += [
        f'<rect x="{_x(0)}" y="{_y(1)}" width="{PLOT}" height="{PLOT}" fill="none" stroke="#333"/>',
        f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" stroke="#888" '
        f'stroke-dasharray="6 4"><title>perfect calibration</title></line>',
        f'<text x="{SIZE / 2}" y="{SIZE - 18}" text-anchor="middle">forecast probability</text>',
        f'<text transform="translate(18 {SIZE / 2}) rotate(-90)" text-anchor="middle">'
        f'observed frequency</text>',
    ]
    biggest = max((b.count for b in cal.bins), default=0) or 1
    for b in cal.bins:
        if not b.count or b.mean_forecast is None or b.observed_frequency is None:
            continue
        x, y = _x(b.mean_forecast), _y(b.observed_frequency)
        r = 4 + 10 * math.sqrt(b.count / biggest)
        if b.interval_low is not None and b.interval_high is not None:
            lo, hi = _y(b.interval_low), _y(b.interval_high)
            parts.append(
                f'<line x1="{x}" y1="{lo}" x2="{x}" y2="{hi}" stroke="#1f5fa8" stroke-width="2"/>'
                f'<line x1="{x - 5}" y1="{lo}" x2="{x + 5}" y2="{lo}" stroke="#1f5fa8"/>'
                f'<line x1="{x - 5}" y1="{hi}" x2="{x + 5}" y2="{hi}" stroke="#1f5fa8"/>'
            )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#1f5fa8" fill-opacity="0.6">'
            f'<title>{b.low:.1f}-{b.high:.1f}: n={b.count}, forecast {b.mean_forecast:.2f}, '
            f'observed {b.observed_frequency:.2f}</title></circle>'
            f'<text x="{x + r + 3:.1f}" y="{y - 3:.1f}">n={b.count}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def calibration_vega_lite(cal: Calibration) -> dict[str, Any]:
    """A Vega-Lite v5 spec with the bins inlined: diagonal, intervals, sized points."""
    values = [b.model_dump() for b in cal.bins if b.count]
    scale = {"domain": [0, 1]}
    x = {"field": "mean_forecast", "type": "quantitative", "title": "forecast probability",
         "scale": scale}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": f"{cal.title} ({cal.scored} scored)",
        "width": 400, "height": 400,
        "layer": [
            {"data": {"values": [{"p": 0}, {"p": 1}]},
             "mark": {"type": "line", "strokeDash": [6, 4], "color": "#888"},
             "encoding": {"x": {"field": "p", "type": "quantitative", "scale": scale},
                          "y": {"field": "p", "type": "quantitative", "scale": scale}}},
            {"data": {"values": values}, "mark": "rule",
             "encoding": {"x": x, "y": {"field": "interval_low", "type": "quantitative"},
                          "y2": {"field": "interval_high"}}},
            {"data": {"values": values}, "mark": {"type": "circle", "opacity": 0.7},
             "encoding": {
                 "x": x,
                 "y": {"field": "observed_frequency", "type": "quantitative",
                       "title": "observed frequency", "scale": scale},
                 "size": {"field": "count", "type": "quantitative"},
                 "tooltip": [{"field": f} for f in
                             ("low", "high", "count", "mean_forecast", "observed_frequency")],
             }},
        ],
    }
