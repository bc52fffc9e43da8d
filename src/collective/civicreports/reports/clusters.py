"""Possible duplicates among the waiting reports: those of the same category
that arrived within the configured distance and time window of each other
(a storm's twenty "tree down in via Roma"), grouped so that a moderator
merges each group in one step (``bulk.close_as_duplicates``).

Groups are connected components: A near B and B near C put A, B and C
together even when A and C are further apart, as a crowd of reports around
one fallen tree is. Catalog data only (category, created, coordinates),
and a grid of cells one distance wide, so that each report is compared
with the reports of its own and the eight neighbouring cells only.
"""

from collections import defaultdict
from collective.civicreports.geo.nearby import distance
from collective.civicreports.geo.nearby import EARTH_RADIUS
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.workflow import SUBMITTED
from dataclasses import dataclass
from dataclasses import field
from plone import api

import math


@dataclass
class Cluster:
    category: str
    brains: list = field(default_factory=list)  # oldest first

    @property
    def numbers(self):
        return [brain.tracking_number for brain in self.brains]


def _cell(latitude, longitude, metres):
    size = math.degrees(metres / EARTH_RADIUS)
    return (
        math.floor(latitude / size),
        math.floor(longitude * math.cos(math.radians(latitude)) / size),
    )


def clusters(folder, metres=None, hours=None):
    """The groups of two or more waiting reports of the folder, the largest
    first, each oldest first."""
    metres = setting("duplicate_distance") if metres is None else metres
    hours = setting("duplicate_hours") if hours is None else hours
    if not metres:
        return []
    brains = api.portal.get_tool("portal_catalog")(
        portal_type="Report",
        path="/".join(folder.getPhysicalPath()),
        review_state=SUBMITTED,
    )
    # The created index keeps minutes: the metadata, and the tracking
    # number given in order of arrival, order a storm's minute.
    brains = sorted(brains, key=lambda b: (b.created.timeTime(), b.tracking_number))
    window = hours * 3600
    by_category = defaultdict(list)
    for brain in brains:
        # A report without a place has no coordinates (Missing.Value).
        if isinstance(brain.latitude, float) and isinstance(brain.longitude, float):
            by_category[brain.report_category].append(brain)
    found = []
    for category, members in by_category.items():
        found.extend(
            Cluster(category, group)
            for group in _groups(members, metres, window)
            if len(group) > 1
        )
    found.sort(key=lambda c: (-len(c.brains), c.brains[0].created))
    return found


def _groups(brains, metres, window):
    parent = list(range(len(brains)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    cells = defaultdict(list)
    times = [brain.created.timeTime() for brain in brains]
    for index, brain in enumerate(brains):
        row, column = _cell(brain.latitude, brain.longitude, metres)
        for drow in (-1, 0, 1):
            for dcolumn in (-1, 0, 1):
                for other in cells.get((row + drow, column + dcolumn), ()):
                    near = (
                        abs(times[index] - times[other]) <= window
                        and distance(
                            brain.latitude,
                            brain.longitude,
                            brains[other].latitude,
                            brains[other].longitude,
                        )
                        <= metres
                    )
                    if near:
                        parent[root(index)] = root(other)
        cells[(row, column)].append(index)
    groups = defaultdict(list)
    for index, brain in enumerate(brains):
        groups[root(index)].append(brain)
    return list(groups.values())
