"""The right foot as data: four views (top, inner side, sole, outer side), each an outline and its landmarks.

Every view is in its own millimetres (x to the right, y down) of an adult foot 250 mm long, so a
distance on the drawing is a distance on a foot. Outlines are points a smooth curve passes through;
the landmarks are the ones the point locations refer to. Proportions follow the common anatomy of
the foot; nothing here is traced from any picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from .shapes import XY, mirror

LENGTH: Final = 250.0
"""Toe tip to heel, millimetres."""


@dataclass(frozen=True)
class Landmark:
    """A named feature drawn in a view: a line through points, or a circle (centre and radius)."""

    name: str
    """What it is, e.g. "1st metatarsal"; the tests refer to landmarks by their key."""
    points: tuple[XY, ...]
    style: str
    """``bone`` (dashed), ``tendon`` (thin), ``skin`` (a crease or the edge of the sole), ``nail``, ``pad``."""
    radius: float = 0.0
    """Non-zero: a circle around the single point (a bone's knob, a pad)."""
    label: str = ""
    """Written beside it on the drawing (only the few landmarks a location names): the catalogue's label
    ``landmark_<label>`` in the routine's language."""


@dataclass(frozen=True)
class View:
    """One view of the right foot."""

    key: str
    """Its title on the chart is the catalogue's label ``view_<key>``."""
    size: XY
    """Width and height of the view, mm."""
    outline: tuple[XY, ...]
    """Closed; with ``cut`` its last edge is where the leg leaves the drawing (drawn as a soft break)."""
    cut: bool = False
    landmarks: dict[str, Landmark] = field(default_factory=dict)


def _lm(key: str, name: str, style: str, *points: XY, radius: float = 0.0, label: str = "") -> tuple[str, Landmark]:
    return key, Landmark(name, tuple(points), style, radius, label)


# ---- Top (dorsal): seen from above, toes up, so the big toe is on the left of a right foot.
_TOES: Final[tuple[XY, ...]] = (
    (2, 52), (4, 30), (6, 14), (12, 4), (19, 0), (26, 3), (31, 12), (33, 26), (34, 36),
    (36.5, 39),  # web, 1st-2nd toe
    (38, 28), (40, 14), (44, 7), (49, 7), (52, 13), (54, 26), (55, 38),
    (57, 42),  # web, 2nd-3rd
    (58, 32), (60, 21), (64, 16), (68, 17), (70, 24), (71, 35), (72, 44),
    (74, 48),  # web, 3rd-4th
    (75, 38), (77, 30), (81, 26), (85, 28), (86.5, 36), (87, 47),
    (88.5, 54),  # web, 4th-5th
    (89.5, 48), (92, 42), (96, 42), (98.5, 47), (99.5, 57), (100, 70),
    (99, 90), (97, 110), (95, 130), (93.5, 148), (91, 165),
)  # fmt: skip
_DORSAL: Final[tuple[XY, ...]] = (
    (27, 250), (24, 226), (18, 209), (15, 194), (12, 172), (8, 145), (4, 115), (1, 90), (0, 70),
    *_TOES, (86, 180), (83, 194), (84.5, 207), (81, 222), (78, 250),
)  # fmt: skip
_FOOTPRINT: Final[tuple[XY, ...]] = (
    *_TOES, (88, 180), (84, 205), (78, 228), (66, 245), (52, 249), (38, 245), (28, 231), (24, 210),
    (20, 185), (14, 160), (9, 135), (4, 112), (1, 90), (0, 70),
)  # fmt: skip

DORSAL: Final = View(
    "dorsal",
    (100, 250),
    _DORSAL,
    cut=True,
    landmarks=dict(
        [
            _lm("nail1", "big toe nail", "nail", (11, 8), (19, 5), (27, 8), (26.5, 20), (11.5, 20)),
            _lm("nail2", "2nd toe nail", "nail", (42.5, 12), (46.5, 10), (50.5, 12), (50.5, 19), (42.5, 19)),
            _lm("nail3", "3rd toe nail", "nail", (62, 20), (65, 18.5), (68, 20), (68, 26), (62, 26)),
            _lm("nail4", "4th toe nail", "nail", (79, 30), (81.5, 29), (84.5, 30), (84.5, 36), (79, 36)),
            _lm("nail5", "5th toe nail", "nail", (92, 45), (94.5, 44.5), (97, 46), (97, 50), (92, 50)),
            _lm("web12", "web between the big and 2nd toes", "skin", (36.5, 39), label=""),
            _lm("mt1", "1st metatarsal", "bone", (16, 54), (21, 138)),
            _lm("mt2", "2nd metatarsal", "bone", (44, 51), (41, 140)),
            _lm("mt3", "3rd metatarsal", "bone", (62, 57), (55, 143)),
            _lm("mt4", "4th metatarsal", "bone", (77, 66), (68, 146)),
            _lm("mt5", "5th metatarsal", "bone", (92, 78), (84, 148)),
            _lm("tib_ant", "tibialis anterior tendon", "tendon", (35, 250), (32, 200), (24, 160), (21, 140)),
            _lm("ext_hal", "big toe's extensor tendon", "tendon", (44, 250), (42, 200), (30, 120), (21, 60), (19, 38)),
            _lm("ext_dig", "toes' extensor tendon", "tendon", (57, 250), (58, 215)),
            _lm("ext_2", "tendon to the 2nd toe", "tendon", (58, 215), (55, 180), (49, 110), (46, 40)),
            _lm("ext_3", "tendon to the 3rd toe", "tendon", (58, 215), (59, 180), (62, 110), (64, 45)),
            _lm("ext_4", "tendon to the 4th toe", "tendon", (58, 215), (62, 180), (73, 115), (80, 50)),
            _lm("ext_5", "tendon to the 5th toe", "tendon", (58, 215), (65, 180), (86, 115), (93, 62)),
            _lm("crease", "ankle crease", "skin", (22, 198), (52, 203), (84, 196)),
        ]
    ),
)

# ---- Sole (plantar): the footprint seen from below, toes up, so the big toe is on the right.
_W: Final = 100.0
PLANTAR: Final = View(
    "plantar",
    (100, 250),
    tuple(mirror(_FOOTPRINT, _W)),
    landmarks=dict(
        [
            _lm("pad1", "big toe pad", "pad", (_W - 18, 17), radius=10),
            _lm("pad2", "2nd toe pad", "pad", (_W - 46.5, 17), radius=5.5),
            _lm("pad3", "3rd toe pad", "pad", (_W - 65, 25), radius=4.5),
            _lm("pad4", "4th toe pad", "pad", (_W - 81.5, 35), radius=4),
            _lm("pad5", "5th toe pad", "pad", (_W - 94.5, 50), radius=3.5),
            _lm(
                "toe_line",
                "where the toes meet the sole",
                "skin",
                *mirror([(4, 46), (20, 44), (36.5, 44), (57, 47), (74, 52), (88.5, 58), (98, 64)], _W),
            ),
            _lm(
                "ball",
                "back edge of the ball of the foot",
                "skin",
                *mirror([(3, 86), (25, 95), (50, 98), (75, 100), (96, 98)], _W),
                label="ball",
            ),
            _lm("heel", "heel pad", "pad", (_W - 52, 222), radius=19),
            _lm("web23", "web between the 2nd and 3rd toes", "skin", (_W - 57, 42)),
            _lm("heel_back", "back of the heel", "skin", (_W - 52, 249)),
        ]
    ),
)

# ---- Inner side (medial) with the ankle: the right foot seen from the inside, toes to the left.
_SIDE: Final[tuple[XY, ...]] = (
    (150, 0), (148, 40), (140, 75), (120, 92), (95, 104), (70, 114), (45, 121), (30, 123.5), (15, 125),
    (6, 128), (1, 135), (2.5, 145), (15, 149.5), (30, 149.6), (45, 150), (70, 150), (100, 149.5), (140, 150),
    (185, 150), (215, 149.5), (232, 143), (240, 130), (240, 112), (233, 95), (222, 70), (215, 40), (212, 0),
)  # fmt: skip

MEDIAL: Final = View(
    "medial",
    (LENGTH, 155),
    _SIDE,
    cut=True,
    landmarks=dict(
        [
            _lm("nail1", "big toe nail", "nail", (4, 130), (10, 127), (18, 126.5)),
            _lm(
                "sole_edge",
                "where the sole's paler skin begins",
                "skin",
                (6, 143),
                (28, 143),
                (48, 140),
                (72, 136),
                (98, 130),
                (122, 128),
                (146, 133),
                (172, 140),
                (202, 141),
                (229, 137),
            ),
            _lm("mt1_head", "head of the 1st metatarsal (the big toe joint)", "bone", (40, 134), radius=8),
            _lm("mt1", "1st metatarsal", "bone", (47, 129), (104, 119)),
            _lm("mt1_base", "base of the 1st metatarsal", "bone", (108, 120), radius=5),
            _lm("navicular", "navicular bone's knob", "bone", (133, 121), radius=5),
            _lm("malleolus", "inner ankle bone", "bone", (180, 88), radius=11, label="inner_ankle"),
            _lm("tib_ant", "tibialis anterior tendon", "tendon", (156, 5), (151, 55), (138, 92), (112, 116)),
            _lm("achilles", "Achilles tendon", "tendon", (200, 5), (204, 60), (223, 112)),
        ]
    ),
)

# ---- Outer side (lateral): the same outline mirrored, toes to the right.
LATERAL: Final = View(
    "lateral",
    (LENGTH, 155),
    tuple(mirror(_SIDE, LENGTH)),
    cut=True,
    landmarks=dict(
        [
            _lm("toe5", "little toe", "skin", (196, 139), (205, 136.5), (212, 139), (214, 145), (207, 149)),
            _lm(
                "sole_edge",
                "where the sole's paler skin begins",
                "skin",
                (12, 126),
                (28, 135),
                (50, 140),
                (90, 143),
                (130, 145),
                (175, 145),
                (200, 146),
            ),
            _lm("malleolus", "outer ankle bone", "bone", (64, 96), radius=11, label="outer_ankle"),
            _lm("mt5_tub", "knob at the base of the 5th metatarsal", "bone", (118, 137), radius=5),
            _lm("mt5", "5th metatarsal", "bone", (122, 137), (180, 140)),
            _lm("mt5_head", "5th toe joint", "bone", (185, 140), radius=5),
            _lm("achilles", "Achilles tendon", "tendon", *mirror([(200, 5), (204, 60), (223, 112)], LENGTH)),
        ]
    ),
)

VIEWS: Final[dict[str, View]] = {v.key: v for v in (DORSAL, PLANTAR, MEDIAL, LATERAL)}
"""Every view by key, in the order a chart lays them out."""
