"""The old homes of the classes whose objects live in the database.

ZODB stores an object with the dotted name of its class. Version 1004
moved the modules of two of them into packages: the tracking counter (an
annotation of the site) and the map's index (in the catalog). Sites made
before find them here until upgrade step 1004 has stored them again under
their new names.
"""

from collective.civicreports.geo import mapindex
from collective.civicreports.reports import tracking

import sys


MOVED = {
    "collective.civicreports.tracking": tracking,
    "collective.civicreports.mapfeatures": mapindex,
}
for name, module in MOVED.items():
    sys.modules.setdefault(name, module)
