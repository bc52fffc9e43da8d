"""A grid over the map, so that the reports in a box are found by the cells
it covers: the time then depends on the reports in the box, not on all the
reports of the site (two range queries on latitude and longitude each cover
a whole band of the world)."""

import math


# Cell sizes in degrees, coarse to fine; a cell id names its size.
SIZES = (1.0, 0.1, 0.01, 0.001)
MAX_CELLS = 64


def cell(size_index, latitude, longitude):
    size = SIZES[size_index]
    return f"{size_index}:{math.floor(latitude / size)}:{math.floor(longitude / size)}"


def cells_of(latitude, longitude):
    """The cells of a point, at every size."""
    return [cell(i, latitude, longitude) for i in range(len(SIZES))]


def cells_covering(min_lon, min_lat, max_lon, max_lat):
    """The cells, of the finest size that needs at most MAX_CELLS, that
    cover the box; None when even the coarsest needs more (a world view)."""
    for index in range(len(SIZES) - 1, -1, -1):
        size = SIZES[index]
        rows = range(math.floor(min_lat / size), math.floor(max_lat / size) + 1)
        columns = range(math.floor(min_lon / size), math.floor(max_lon / size) + 1)
        if len(rows) * len(columns) <= MAX_CELLS:
            return [f"{index}:{row}:{column}" for row in rows for column in columns]
    return None
