"""Catalog indexers for reports. Only public data: personal data never
reaches the catalog, neither as metadata nor as searchable text."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.geo import mapindex
from collective.civicreports.interfaces import IReport
from plone.indexer import indexer


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
