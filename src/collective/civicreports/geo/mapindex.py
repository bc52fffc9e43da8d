"""The map's index, and the features it keeps ready.

``report_map`` is a catalog index of a type of its own (``ReportMapIndex``).
It holds only the public, not confidential reports with a place, and for
each of them two things:

- the cells of the map's grid the report lies in (``geocells``), as a
  keyword index does, so that the reports in a box are found by the cells
  it covers;
- its record: its GeoJSON feature already encoded as text, but for the parts
  that depend on the request (the titles of its state and category, the
  site's URL), and the few values the feed filters on.

The feed joins records read from the index alone: no brain, no metadata
tuple, no DateTime, no JSON encoding per report. The records are kept apart
from the catalog's metadata so that a process that has just started loads
only them (a tenth of the bytes of the metadata of the same reports), and
the index is rebuilt, cleared and reindexed like any other.
"""

from BTrees.IOBTree import IOBTree
from collective.civicreports.geo.cells import cells_of
from collective.civicreports.reports.dates import iso
from collective.civicreports.reports.workflow import PUBLIC_STATES
from plone import api
from Products.PluginIndexes.KeywordIndex.KeywordIndex import KeywordIndex
from types import SimpleNamespace

import json


INDEX = "report_map"

# Positions in a record.
LONGITUDE, LATITUDE, MODIFIED, CATEGORY, STATE, PATH, HEAD, PATH_TEXT = range(8)


def _text(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def feature_record(report):
    """The record of a public, not confidential report with a place, or
    None: what the map may show of it and nothing else (never the
    description nor the reporter)."""
    geolocation = getattr(report, "geolocation", None)
    if geolocation is None or geolocation.latitude is None:
        return None
    if geolocation.longitude is None or report.confidential:
        return None
    state = api.content.get_state(report, default=None)
    if state not in PUBLIC_STATES:
        return None
    longitude = round(geolocation.longitude, 6)
    latitude = round(geolocation.latitude, 6)
    number = _text(report.tracking_number)
    head = (
        f'{{"type":"Feature","id":{number},"geometry":{{"type":"Point",'
        f'"coordinates":[{longitude!r},{latitude!r}]}},"properties":{{'
        f'"tracking_number":{number},"title":{_text(report.title or "")},'
        f'"category":{_text(report.category)},"state":{_text(state)},'
        f'"created":{_text(iso(report.created()))}'
    )
    path = "/".join(report.getPhysicalPath())
    return (
        longitude,
        latitude,
        report.modified().micros(),
        report.category,
        state,
        path,
        head,
        _text(path)[1:-1],
    )


class ReportMapIndex(KeywordIndex):
    """The records of the public reports, by record id, as the indexed
    attribute (the ``report_feature`` indexer) gives them, and their grid
    cells as the keywords of a keyword index. The cells are taken from the
    record, so a report's record is computed once per indexing."""

    meta_type = "ReportMapIndex"

    def clear(self):
        super().clear()
        self._features = IOBTree()

    def index_object(self, documentId, obj, threshold=None):
        record = getattr(obj, self.getIndexSourceNames()[0], None)
        cells = (
            cells_of(record[LATITUDE], record[LONGITUDE]) if record is not None else ()
        )
        # The keyword index reads its keywords from an attribute.
        changed = bool(
            self._index_object(documentId, SimpleNamespace(cells=cells), attr="cells")
        )
        if record is None:
            changed = self._features.pop(documentId, None) is not None or changed
        elif self._features.get(documentId) != record:
            self._features[documentId] = record
            changed = True
        if changed:
            self._increment_counter()
        return changed

    def unindex_object(self, documentId):
        super().unindex_object(documentId)
        self._features.pop(documentId, None)

    def records(self, cells=None):
        """The records of the reports in the cells (all of them when None),
        in catalog order."""
        if cells is None:
            yield from self._features.values()
            return
        found = self._apply_index({self.id: {"query": list(cells), "operator": "or"}})
        if not found or not found[0]:
            return
        features = self._features
        for rid in found[0]:
            record = features.get(rid)
            if record is not None:
                yield record


def records(catalog, cells=None):
    """The records of the public reports in the given map cells (all of
    them when None). The index holds only public, not confidential reports
    with a place, so no security filter is needed."""
    return catalog._catalog.getIndex(INDEX).records(cells)


def feature_text(record, category_title, state_title, url_prefix):
    """A record made whole: the titles already encoded as JSON text, and
    the site URL JSON-escaped without quotes. Physical paths start with the
    site's path, whose characters need no escaping (ids are plain ASCII),
    so the URL is the prefix plus what follows the site's path."""
    site_path_length, site_url = url_prefix
    return (
        f'{record[HEAD]},"category_title":{category_title},'
        f'"state_title":{state_title},'
        f'"url":"{site_url}{record[PATH_TEXT][site_path_length:]}"}}}}'
    )
