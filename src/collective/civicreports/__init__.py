"""Citizen reports (segnalazioni) for Plone."""

from zope.i18nmessageid import MessageFactory


PACKAGE_NAME = "collective.civicreports"

_ = MessageFactory(PACKAGE_NAME)
