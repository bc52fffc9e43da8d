"""Catalog indexers for reports. Only public data: personal data never
reaches the catalog, neither as metadata nor as searchable text."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.geo import mapindex
from collective.civicreports.interfaces import IReport
from collective.civicreports.permissions import reporter_ids
from collective.civicreports.reports.dates import iso
from collective.civicreports.reports.dates import received
from collective.civicreports.reports.moderation import photos
from collective.civicreports.reports.moderation import unresolved_findings
from collective.civicreports.reports.satisfaction import rating_of
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import first_time
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.reports.workflow import state_of
from collective.civicreports.sla.levels import report_sla
from DateTime import DateTime
from plone import api
from plone.indexer import indexer
from zope.annotation.interfaces import IAnnotations

import hashlib
import hmac
import secrets


SECRET_KEY = "collective.civicreports.reporter-index-secret"


@indexer(IReport)
def report_category(report):
    return report.category


@indexer(IReport)
def report_kind(report):
    category = get_category(report.category)
    return category.kind if category is not None else None


@indexer(IReport)
def report_office(report):
    return report.office


@indexer(IReport)
def report_channel(report):
    return report.channel


@indexer(IReport)
def report_confidential(report):
    return bool(report.confidential)


# Metadata for the statistics and the offices' list, which then count and
# sort without waking every report: dates the public timeline shows anyway,
# the resolution the public page shows, and whether the reporter rated it
# (never the rating or its comment).


def _iso(value):
    return value.isoformat() if value is not None else None


@indexer(IReport)
def report_received(report):
    return _iso(received(report))


@indexer(IReport)
def report_assigned_at(report):
    return _iso(first_time(report, ASSIGN))


@indexer(IReport)
def report_closed_at(report):
    return _iso(first_time(report, CLOSE))


@indexer(IReport)
def report_resolution(report):
    return getattr(report, "resolution", None)


@indexer(IReport)
def report_findings(report):
    """How many personal-data findings nobody reviewed: the moderators
    filter and sort their queue by it (the count only, never the text)."""
    return len(unresolved_findings(report))


@indexer(IReport)
def report_answer_due(report):
    """When the answer is due: the offices' list sorts by it. It follows
    the terms of the settings and the category when the report is indexed
    (each step, and the daily job for the open ones)."""
    deadline = report_sla(report, state_of(report))["answer"].deadline
    return DateTime(deadline.isoformat()) if deadline is not None else None


@indexer(IReport)
def report_rated(report):
    return rating_of(report) is not None


@indexer(IReport)
def report_public(report):
    """What anybody may read of a public, not confidential report and no
    other column holds, for the Open311 answer to list reports without
    waking them: the moderated description as written (the Description
    column joins its lines), the public answer, the address, the point,
    the ids of the photos in their order (whether each is published stays
    with the photo and its security index), and the dates of creation and
    change as the APIs write them (DateTime takes longer to write them
    than the rest of a request). None for the other reports: their text
    may not be moderated yet, or is not public."""
    if report.confidential or state_of(report) not in PUBLIC_STATES:
        return None
    geolocation = getattr(report, "geolocation", None)
    return {
        "description": report.description,
        "answer": report.answer,
        "address": report.address,
        "latitude": getattr(geolocation, "latitude", None),
        "longitude": getattr(geolocation, "longitude", None),
        "photos": tuple(photo.getId() for photo in photos(report)),
        "created": iso(report.created()),
        "modified": iso(report.modified()),
    }


@indexer(IReport)
def searchable_text(report):
    category = get_category(report.category)
    parts = [
        report.tracking_number,
        report.title,
        report.description,
        report.address,
        category.title if category is not None else None,
        report.answer,
    ]
    return " ".join(part for part in parts if part)


@indexer(IReport)
def report_feature(report):
    """The report's ready-made map feature (public data only), or None for
    the reports the map does not show."""
    return mapindex.feature_record(report)


def _secret(create):
    annotations = IAnnotations(api.portal.get())
    if SECRET_KEY not in annotations:
        if not create:
            return None
        annotations[SECRET_KEY] = secrets.token_bytes(32)
    return annotations[SECRET_KEY]


def reporter_key(user_id, create=True):
    """What the reporter index holds for a citizen: a keyed hash, so that
    an index anybody may query through ``@search`` links no report to an
    account (Plone's security index forgets the owner of a public report,
    so the citizen's area needs an index of its own).

    The secret is made when the first report is indexed; a page that only
    reads (``create=False``) gets None before, and writes nothing on a GET.
    """
    secret = _secret(create)
    if secret is None:
        return None
    return hmac.new(secret, user_id.encode("utf-8"), hashlib.sha256).hexdigest()


@indexer(IReport)
def report_reporter(report):
    return [reporter_key(user_id) for user_id in reporter_ids(report)] or None
