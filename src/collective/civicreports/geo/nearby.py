"""Open public reports near a place: "is it one of these?"."""

from collective.civicreports.reports.workflow import OPEN_STATES
from plone import api

import math


EARTH_RADIUS = 6371000.0


def distance(lat1, lon1, lat2, lon2):
    """Metres between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(a))


def nearby_reports(folder, category, latitude, longitude, metres, limit=5):
    """Brains of the open public reports of the category within ``metres``,
    nearest first."""
    if not metres or latitude is None or longitude is None:
        return []
    dlat = math.degrees(metres / EARTH_RADIUS)
    dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
    brains = api.portal.get_tool("portal_catalog")(
        portal_type="Report",
        path="/".join(folder.getPhysicalPath()),
        review_state=list(OPEN_STATES),
        report_confidential=False,
        report_category=category,
        latitude={"query": (latitude - dlat, latitude + dlat), "range": "min:max"},
        longitude={"query": (longitude - dlon, longitude + dlon), "range": "min:max"},
    )
    found = []
    for brain in brains:
        if brain.latitude is None or brain.longitude is None:
            continue
        metres_away = distance(latitude, longitude, brain.latitude, brain.longitude)
        if metres_away <= metres:
            found.append((metres_away, brain))
    found.sort(key=lambda pair: pair[0])
    return [{"brain": brain, "distance": round(d)} for d, brain in found[:limit]]
