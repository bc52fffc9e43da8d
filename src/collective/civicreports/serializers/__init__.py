"""How plone.restapi serialises a report."""
