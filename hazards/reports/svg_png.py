"""The report's SVG charts (hazards.reports.charts) as PNG, for the Word file, drawn with Pillow.

The project has no SVG renderer that writes images (WeasyPrint draws SVG only into PDF; CairoSVG and
LibreOffice would be new run-time dependencies), and the charts use a small part of SVG: rect,
circle, line, polyline, polygon, path with straight segments, and text, in groups, with solid
colours and opacities. This draws that part, at `scale` pixels per SVG unit, with the system's CJK
font (fonts-noto-cjk, installed for the PDF), so one drawing serves the page, the PDF and Word.
Anything else is skipped (a <title> tooltip, a curve is drawn as its chord).
"""

from __future__ import annotations

import glob
import io
import re
from functools import lru_cache
from xml.etree import ElementTree

from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFont

#: Where Debian's fonts-noto-cjk puts the fonts (face 2 of the collections is Simplified Chinese).
CJK_FONTS = {"normal": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"}
CJK_SC_INDEX = 2
INHERITED = ("fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "opacity", "font-size",
             "font-weight", "text-anchor", "fill-rule")
DEFAULTS = {"fill": "#000", "stroke": "none", "stroke-width": "1", "font-size": "16", "font-weight": "normal",
            "text-anchor": "start", "fill-rule": "nonzero"}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[MmLlHhVvZzCcSsQqTtAa]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "Z": 0, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7}


def svg_to_png(svg: str, scale: float = 2.0) -> tuple[bytes, str]:
    """The PNG bytes of `svg` and its accessible title (aria-label), on a white background."""
    root = ElementTree.fromstring(svg)
    width, height = _size(root)
    image = Image.new("RGB", (max(1, round(width * scale)), max(1, round(height * scale))), "white")
    _Painter(image, scale).draw_children(root, {**DEFAULTS, **_own_style(root)})
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue(), root.get("aria-label") or ""


def png_size(svg: str) -> tuple[float, float]:
    """The chart's width and height in SVG units (its aspect ratio, for placing the image)."""
    return _size(ElementTree.fromstring(svg))


def _size(root) -> tuple[float, float]:
    box = root.get("viewBox")
    if box:
        _x, _y, width, height = (float(v) for v in _NUMBER.findall(box)[:4])
        return width, height
    return _length(root.get("width"), 300), _length(root.get("height"), 150)


def _length(value: str | None, default: float) -> float:
    found = _NUMBER.match(value or "")
    return float(found.group()) if found else default


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _own_style(element) -> dict:
    """Presentation attributes and a style="a: b" attribute, the latter winning, as in SVG."""
    style = {key: element.get(key) for key in INHERITED if element.get(key) is not None}
    for part in (element.get("style") or "").split(";"):
        if ":" in part:
            key, value = (s.strip() for s in part.split(":", 1))
            if key in INHERITED:
                style[key] = value
    return style


@lru_cache(maxsize=64)
def _font(size_px: int, bold: bool) -> ImageFont.ImageFont:
    path = CJK_FONTS["bold" if bold else "normal"]
    candidates = [path, CJK_FONTS["normal"], *sorted(glob.glob("/usr/share/fonts/**/*CJK*", recursive=True)),
                  *sorted(glob.glob("/usr/share/fonts/**/wqy*", recursive=True))]
    for candidate in candidates:
        try:
            return ImageFont.truetype(candidate, size_px, index=CJK_SC_INDEX if candidate.endswith(".ttc") else 0)
        except OSError:
            try:
                return ImageFont.truetype(candidate, size_px)
            except OSError:
                continue
    return ImageFont.load_default(size_px)  # no CJK font: Latin text still reads


class _Painter:
    def __init__(self, image: Image.Image, scale: float):
        self.image, self.scale = image, scale
        self.draw = ImageDraw.Draw(image, "RGBA")  # RGBA fills blend over what is drawn already

    def draw_children(self, parent, style: dict, offset: tuple[float, float] = (0.0, 0.0)) -> None:
        for child in parent:
            tag, own = _tag(child), {**style, **_own_style(child)}
            if tag == "g":
                self.draw_children(child, own, _translate(child.get("transform"), offset))
            elif tag in ("title", "desc", "defs", "style", "metadata"):
                continue
            else:
                method = getattr(self, f"_{tag}", None)
                if method:
                    method(child, own, offset)

    # -- helpers ----------------------------------------------------------------------------------
    def _xy(self, x: float, y: float, offset) -> tuple[float, float]:
        return (x + offset[0]) * self.scale, (y + offset[1]) * self.scale

    def _paint(self, style: dict, which: str):
        """An RGBA colour for fill or stroke, or None for none."""
        value = (style.get(which) or "none").strip()
        if value in ("none", "transparent") or value.startswith("url("):
            return None
        try:
            rgb = ImageColor.getrgb(value)[:3]
        except ValueError:
            return None
        opacity = _number(style.get(f"{which}-opacity"), 1.0) * _number(style.get("opacity"), 1.0)
        return (*rgb, max(0, min(255, round(255 * opacity))))

    def _stroke_width(self, style: dict) -> int:
        return max(1, round(_number(style.get("stroke-width"), 1.0) * self.scale))

    def _shape(self, points_list: list[list[tuple[float, float]]], style: dict, closed: bool = True) -> None:
        fill, stroke = self._paint(style, "fill"), self._paint(style, "stroke")
        rings = [p for p in points_list if len(p) >= 2]
        if fill and closed and rings:
            if len(rings) == 1 or style.get("fill-rule") != "evenodd":
                for ring in rings:
                    if len(ring) >= 3:
                        self.draw.polygon(ring, fill=fill)
            else:  # holes: each ring flips the mask (even-odd)
                mask = Image.new("1", self.image.size, 0)
                for ring in rings:
                    if len(ring) >= 3:
                        layer = Image.new("1", self.image.size, 0)
                        ImageDraw.Draw(layer).polygon(ring, fill=1)
                        mask = ImageChops.logical_xor(mask, layer)
                colour = Image.new("RGBA", self.image.size, fill)
                self.image.paste(colour, (0, 0), mask.convert("L").point(lambda v: fill[3] if v else 0))
        if stroke:
            for ring in rings:
                line = ring + [ring[0]] if closed else ring
                self.draw.line(line, fill=stroke, width=self._stroke_width(style), joint="curve")

    # -- elements ---------------------------------------------------------------------------------
    def _rect(self, el, style, offset):
        x, y = _number(el.get("x"), 0), _number(el.get("y"), 0)
        w, h = _number(el.get("width"), 0), _number(el.get("height"), 0)
        if w <= 0 or h <= 0:
            return
        corners = [self._xy(x, y, offset), self._xy(x + w, y, offset), self._xy(x + w, y + h, offset),
                   self._xy(x, y + h, offset)]
        self._shape([corners], style)

    def _circle(self, el, style, offset):
        cx, cy = self._xy(_number(el.get("cx"), 0), _number(el.get("cy"), 0), offset)
        r = _number(el.get("r"), 0) * self.scale
        if r <= 0:
            return
        fill, stroke = self._paint(style, "fill"), self._paint(style, "stroke")
        self.draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill, outline=stroke,
                          width=self._stroke_width(style) if stroke else 0)

    def _ellipse(self, el, style, offset):
        cx, cy = self._xy(_number(el.get("cx"), 0), _number(el.get("cy"), 0), offset)
        rx, ry = _number(el.get("rx"), 0) * self.scale, _number(el.get("ry"), 0) * self.scale
        fill, stroke = self._paint(style, "fill"), self._paint(style, "stroke")
        self.draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=fill, outline=stroke,
                          width=self._stroke_width(style) if stroke else 0)

    def _line(self, el, style, offset):
        stroke = self._paint(style, "stroke")
        if stroke:
            start = self._xy(_number(el.get("x1"), 0), _number(el.get("y1"), 0), offset)
            end = self._xy(_number(el.get("x2"), 0), _number(el.get("y2"), 0), offset)
            self.draw.line([start, end], fill=stroke, width=self._stroke_width(style))

    def _polyline(self, el, style, offset, closed: bool = False):
        values = [float(v) for v in _NUMBER.findall(el.get("points") or "")]
        points = [self._xy(values[i], values[i + 1], offset) for i in range(0, len(values) - 1, 2)]
        self._shape([points], style, closed=closed)

    def _polygon(self, el, style, offset):
        self._polyline(el, style, offset, closed=True)

    def _path(self, el, style, offset):
        rings, closed = _path_rings(el.get("d") or "")
        self._shape([[self._xy(x, y, offset) for x, y in ring] for ring in rings], style, closed=closed)

    def _text(self, el, style, offset):
        text = "".join(el.itertext()).strip()
        fill = self._paint(style, "fill")
        if not text or not fill:
            return
        size = max(1, round(_number(style.get("font-size"), 16) * self.scale))
        bold = style.get("font-weight") in ("bold", "bolder", "600", "700", "800", "900")
        anchor = {"middle": "ms", "end": "rs"}.get(style.get("text-anchor"), "ls")
        x, y = self._xy(_number(el.get("x"), 0), _number(el.get("y"), 0), offset)
        halo = self._paint(style, "stroke")  # a label's white outline (paint-order: stroke)
        self.draw.text((x, y), text, font=_font(size, bold), fill=fill, anchor=anchor,
                       stroke_width=self._stroke_width(style) if halo else 0, stroke_fill=halo)


def _number(value, default: float) -> float:
    found = _NUMBER.match(str(value).strip()) if value is not None else None
    return float(found.group()) if found else default


def _translate(transform: str | None, offset: tuple[float, float]) -> tuple[float, float]:
    found = re.match(r"\s*translate\(([^)]*)\)", transform or "")
    if not found:
        return offset
    values = [float(v) for v in _NUMBER.findall(found.group(1))] + [0.0, 0.0]
    return offset[0] + values[0], offset[1] + values[1]


def _path_rings(d: str) -> tuple[list[list[tuple[float, float]]], bool]:
    """The subpaths of a path as point lists (curves by their end points), and whether it closes."""
    tokens = _PATH_TOKEN.findall(d)
    rings: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    x = y = 0.0
    command, closed, i = "M", False, 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                closed = True
                if current:
                    rings.append(current)
                    x, y = current[0]
                    current = []
                continue
        upper, relative = command.upper(), command.islower()
        count = _ARGS[upper]
        args = [float(v) for v in tokens[i:i + count]]
        if len(args) < count:
            break
        i += count
        if upper == "H":
            x = args[0] + (x if relative else 0)
        elif upper == "V":
            y = args[0] + (y if relative else 0)
        else:
            x, y = (args[-2] + x, args[-1] + y) if relative else (args[-2], args[-1])
        if upper == "M":
            if current:
                rings.append(current)
            current = [(x, y)]
            command = "l" if relative else "L"  # further pairs after a move are lines
        else:
            current.append((x, y))
    if current:
        rings.append(current)
    return rings, closed
