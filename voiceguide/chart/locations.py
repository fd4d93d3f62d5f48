"""Where each point of the foot's six meridians sits on the drawing, with its location in our own words.

Positions are millimetres in one view of the right foot (foot.py). They follow the standard
locations (the WHO's, as taught), described here in plain words of our own. Liver 3 follows the
reference article too: about 2 cm back from the web between the big and second toes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..routine.points import Point, parse_point
from .shapes import XY


@dataclass(frozen=True)
class Location:
    """Where a point is drawn."""

    view: str
    """The key of the view it is drawn in (foot.VIEWS)."""
    at: XY
    """Millimetres in that view."""
    where: str
    """The location in plain words."""


def _at(view: str, x: float, y: float, where: str) -> Location:
    return Location(view, (x, y), where)


LOCATIONS: Final[dict[str, Location]] = {
    # Spleen: the inner edge of the foot, from the big toe to the front of the inner ankle.
    "SP1": _at("medial", 19, 131, "Inner side of the big toe, just behind the corner of the nail."),
    "SP2": _at("medial", 28, 142, "Inner edge, just in front of the big toe joint, where the sole's paler skin begins."),
    "SP3": _at("medial", 52, 139, "Inner edge, just behind the big toe joint, where the sole's paler skin begins."),
    "SP4": _at("medial", 98, 131, "Inner edge, in the dip in front of and below the end of the long bone behind the big toe."),
    "SP5": _at("medial", 156, 110, "In the hollow in front of and below the inner ankle bone."),
    # Liver: between the big and second toes, up to the front of the inner ankle.
    "LR1": _at("dorsal", 28.5, 21.5, "Big toe, on the side towards the second toe, just behind the corner of the nail."),
    "LR2": _at("dorsal", 36, 45, "Top of the foot, just behind the web between the big and second toes."),
    "LR3": _at("dorsal", 30, 60, "Top of the foot, in the groove between the big toe's and second toe's long bones, about 2 cm back from the web."),
    "LR4": _at("medial", 157, 90, "Front of the ankle, just ahead of the inner ankle bone, beside the big tendon on the inside."),
    # Kidney: the sole, then around the back of the inner ankle.
    "KI1": _at("plantar", 44.7, 111, "Sole, in the hollow just behind the ball of the foot, a third of the way from the toes to the heel."),
    "KI2": _at("medial", 133, 131, "Inner edge, below the bony knob in the middle of the arch."),
    "KI3": _at("medial", 200, 88, "In the hollow between the inner ankle bone and the Achilles tendon."),
    "KI4": _at("medial", 211, 100, "Behind and below the inner ankle bone, in front of where the Achilles tendon meets the heel."),
    "KI5": _at("medial", 200, 110, "A finger's width below the hollow behind the inner ankle bone, on the heel bone."),
    "KI6": _at("medial", 180, 108, "Just below the inner ankle bone, in the groove under its tip."),
    # Stomach: the middle of the top of the foot, out to the second toe.
    "ST41": _at("dorsal", 50, 201, "Middle of the front of the ankle crease, between the two tendons there."),
    "ST42": _at("dorsal", 48, 137, "Highest point of the top of the foot, where the pulse can be felt."),
    "ST43": _at("dorsal", 53, 68, "Top of the foot, in the groove between the second and third long bones, behind the second toe's joint."),
    "ST44": _at("dorsal", 57, 47, "Top of the foot, just behind the web between the second and third toes."),
    "ST45": _at("dorsal", 52.5, 19.5, "Second toe, on the side towards the third toe, just behind the corner of the nail."),
    # Bladder: around the back of the outer ankle and along the outer edge to the little toe.
    "BL60": _at("lateral", 43, 96, "In the hollow between the outer ankle bone and the Achilles tendon."),
    "BL61": _at("lateral", 43, 132, "Below the hollow behind the outer ankle bone, on the heel, where the sole's paler skin begins."),
    "BL62": _at("lateral", 64, 116, "In the hollow just below the tip of the outer ankle bone."),
    "BL63": _at("lateral", 96, 130, "Outer edge, in the dip behind the knob at the base of the little toe's long bone."),
    "BL64": _at("lateral", 127, 140, "Outer edge, just in front of the knob at the base of the little toe's long bone."),
    "BL65": _at("lateral", 174, 142, "Outer edge, just behind the little toe's joint."),
    "BL66": _at("lateral", 196, 143, "Outer edge, just in front of the little toe's joint."),
    "BL67": _at("lateral", 211, 141, "Little toe, outer side, just behind the corner of the nail."),
    # Gallbladder: in front of the outer ankle, then between the fourth and fifth toes.
    "GB40": _at("lateral", 84, 108, "In the hollow in front of and below the outer ankle bone."),
    "GB41": _at("dorsal", 77, 136, "Top of the foot, in the dip where the fourth and fifth long bones meet, outside the little toe's tendon."),
    "GB42": _at("dorsal", 84, 88, "Top of the foot, between the fourth and fifth long bones, behind the fourth toe's joint."),
    "GB43": _at("dorsal", 88, 60, "Top of the foot, just behind the web between the fourth and fifth toes."),
    "GB44": _at("dorsal", 85.5, 37, "Fourth toe, on the side towards the little toe, just behind the corner of the nail."),
}  # fmt: skip
"""Every drawn point by code."""


def location(point: Point | str) -> Location | None:
    """Where a point is drawn, or None when it is not on this chart (a hand or head point)."""
    code = point.code if isinstance(point, Point) else parse_point(point).code
    return LOCATIONS.get(code)
