"""Point-in-territory check on a GeoJSON (Multi)Polygon, without GIS libraries."""

import json


def _in_ring(lon, lat, ring):
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _in_polygon(lon, lat, rings):
    if not rings or not _in_ring(lon, lat, rings[0]):
        return False
    # Further rings are holes.
    return not any(_in_ring(lon, lat, hole) for hole in rings[1:])


def polygons(geojson):
    """The polygons (lists of rings) of a GeoJSON text or object."""
    data = json.loads(geojson) if isinstance(geojson, str) else geojson
    kind = data.get("type")
    if kind == "FeatureCollection":
        return [p for feature in data.get("features", []) for p in polygons(feature)]
    if kind == "Feature":
        return polygons(data.get("geometry") or {})
    if kind == "Polygon":
        return [data["coordinates"]]
    if kind == "MultiPolygon":
        return list(data["coordinates"])
    raise ValueError(f"not a polygon: {kind}")


def contains(geojson, lat, lon):
    """Whether the point lies inside the territory."""
    return any(_in_polygon(lon, lat, rings) for rings in polygons(geojson))
