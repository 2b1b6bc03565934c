"""Site photos for the demo ledger: drawn, not downloaded (the demo must build offline).

Each photo is a simple road scene in perspective. "Before" shows the hazard as found (worn markings,
no barrier, potholes); "during" adds cones and a works sign; "after" shows fresh markings, a guardrail
and a warning sign. A hazard gets the photos its state implies: a closure request and a closure need
an "after" photo under the workflow's own rules, so every closed demo hazard has one.
"""

from __future__ import annotations

import hashlib
import io
import random
from datetime import date, datetime, time

from PIL import Image, ImageDraw
from sqlalchemy import insert
from sqlalchemy.orm import Session

from hazards.clock import as_stored
from hazards.domain.enums import AttachmentPhase, Status
from hazards.models import Attachment
from hazards.services.attachments import store_file
from hazards.storage import Store

WIDTH, HEIGHT = 480, 320
HORIZON = 130
_STARTED = {Status.IN_REMEDIATION, Status.CLOSURE_REQUESTED, Status.CLOSED}
_FINISHED = {Status.CLOSURE_REQUESTED, Status.CLOSED}
_NO_PHOTO = {Status.REJECTED, Status.MERGED}


def phases_for(status: Status) -> list[AttachmentPhase]:
    """The photos a hazard in this state would have by now."""
    if status in _NO_PHOTO:
        return []
    phases = [AttachmentPhase.BEFORE]
    if status in _STARTED:
        phases.append(AttachmentPhase.DURING)
    if status in _FINISHED:
        phases.append(AttachmentPhase.AFTER)
    return phases


def scene(seed: int, phase: AttachmentPhase) -> bytes:
    """One JPEG road scene; the same seed draws the same place in every phase."""
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HORIZON):  # sky, lighter towards the horizon
        shade = 170 + int(70 * y / HORIZON)
        draw.line([(0, y), (WIDTH, y)], fill=(shade - 40, shade - 15, shade))
    hill = [(0, HORIZON)] + [(x, HORIZON - rng.randint(8, 40)) for x in range(0, WIDTH + 60, 60)] + [(WIDTH, HORIZON)]
    draw.polygon(hill, fill=(96, 118, 92))
    draw.rectangle([0, HORIZON, WIDTH, HEIGHT], fill=(128, 136, 92))
    vanish = WIDTH // 2 + rng.randint(-70, 70)  # a bend ahead moves the vanishing point aside
    left, right = rng.randint(-40, 60), WIDTH + rng.randint(-60, 40)
    draw.polygon([(vanish - 6, HORIZON), (vanish + 6, HORIZON), (right, HEIGHT), (left, HEIGHT)], fill=(92, 94, 98))

    def along(t: float, edge: float) -> tuple[float, float]:
        """A point on the road: t from the horizon (0) to the bottom (1), edge from left (0) to right (1)."""
        y = HORIZON + t * (HEIGHT - HORIZON)
        x_left, x_right = vanish - 6 + t * (left - vanish + 6), vanish + 6 + t * (right - vanish - 6)
        return x_left + edge * (x_right - x_left), y

    fresh = phase is AttachmentPhase.AFTER
    marking = (250, 250, 245) if fresh else (150, 150, 140)
    for i in range(8):  # centre dashes
        t0, t1 = (i / 8) ** 1.6, ((i + 0.5) / 8) ** 1.6
        draw.line([along(t0, 0.5), along(t1, 0.5)], fill=(240, 200, 40) if fresh else marking,
                  width=max(1, int(6 * t1)))
    if fresh or rng.random() < 0.4:  # edge lines, worn away on most roads before
        for edge in (0.04, 0.96):
            draw.line([along(0.02, edge), along(1, edge)], fill=marking, width=3)
    if phase is AttachmentPhase.BEFORE:
        for _ in range(rng.randint(2, 5)):  # potholes and patches
            t, e = rng.uniform(0.35, 0.95), rng.uniform(0.2, 0.8)
            x, y = along(t, e)
            r = 4 + 14 * t
            draw.ellipse([x - r, y - r / 3, x + r, y + r / 3], fill=(62, 62, 64))
    if phase is AttachmentPhase.DURING:
        for i in range(6):  # a line of cones closing the right lane
            x, y = along(0.35 + i * 0.1, 0.62)
            h = 8 + 20 * (0.35 + i * 0.1)
            draw.polygon([(x, y - h), (x - h / 3, y), (x + h / 3, y)], fill=(245, 120, 30))
            draw.line([(x - h / 5, y - h / 2), (x + h / 5, y - h / 2)], fill=(250, 250, 250), width=2)
        x, y = along(0.55, 1.08)
        draw.rectangle([x - 16, y - 60, x + 16, y - 30], fill=(245, 190, 40), outline=(30, 30, 30), width=2)
        draw.line([(x, y - 30), (x, y)], fill=(80, 80, 80), width=3)
    if fresh:
        for i in range(12):  # guardrail posts and the rail on the outer side
            x, y = along(0.1 + i * 0.075, 1.04)
            draw.line([(x, y), (x, y - 6 - 22 * (0.1 + i * 0.075))], fill=(210, 210, 210), width=2)
        draw.line([along(0.1, 1.04)[0], along(0.1, 1.04)[1] - 8, along(0.95, 1.04)[0], along(0.95, 1.04)[1] - 27],
                  fill=(230, 230, 230), width=4)
        x, y = along(0.45, -0.12)  # a yellow warning sign on the near side
        draw.polygon([(x, y - 70), (x - 20, y - 36), (x + 20, y - 36)], fill=(250, 205, 20), outline=(20, 20, 20))
        draw.line([(x, y - 36), (x, y)], fill=(90, 90, 90), width=3)
    pixels = image.load()
    for _ in range(2500):  # grain, so it reads as a photo rather than a diagram
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        r, g, b = pixels[x, y]
        d = rng.randint(-18, 18)
        pixels[x, y] = (max(0, min(255, r + d)), max(0, min(255, g + d)), max(0, min(255, b + d)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def write_photos(session: Session, store: Store, hazards: list[tuple[int, Status, int | None, dict]]) -> int:
    """Store the photos for (hazard id, status, uploader id, {phase: day taken}) and insert their rows."""
    rows = []
    for hazard_id, status, uploader, days in hazards:
        for phase in phases_for(status):
            data = scene(hazard_id, phase)
            key = store_file(store, hazard_id, data, "jpg", "image/jpeg")
            taken: date = days.get(phase) or days[AttachmentPhase.BEFORE]
            rows.append({
                "hazard_id": hazard_id, "phase": phase, "original_name": f"IMG_{hazard_id:05d}_{phase.value}.jpg",
                "stored_path": key, "content_type": "image/jpeg", "size_bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(), "caption": None, "uploaded_by_id": uploader,
                "uploaded_at": as_stored(datetime.combine(taken, time(10, 30))),
            })
    if rows:
        session.execute(insert(Attachment), rows)
    return len(rows)
