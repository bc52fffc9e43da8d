"""Everything that enters is cleaned here, once, before any route uses it.

``text`` decodes and normalises strings, ``numbers`` parses bounded
numbers, ``jsonbody`` reads JSON with bounded nesting, ``search`` turns
what a citizen typed into a query the catalog's text index accepts, and
``edge`` applies the first three to every request that reaches the add-on's
objects and views, before the view runs.
"""

from collective.civicreports.inputs.text import BadInput  # noqa: F401
