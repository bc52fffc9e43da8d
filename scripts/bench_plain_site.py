"""The plain Plone site that ``scripts/bench_burst.py`` compares the add-on
with; run with ``zconsole run zope.conf bench_plain_site.py``.

Environment: SITE_ID (Plone).
"""

from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SpecialUsers import system
from Testing.makerequest import makerequest

import os
import transaction


site_id = os.environ.get("SITE_ID", "Plone")

app = makerequest(app)  # noqa: F821 - zconsole provides app
newSecurityManager(None, system)

# An instance made by write_instance has no inituser: the clients create
# their Documents as this Zope manager, as Plone's own docs do.
if app.acl_users.getUser("admin") is None:
    app.acl_users._doAddUser("admin", "admin", ["Manager"], [])

if site_id not in app.objectIds():
    from Products.CMFPlone.factory import addPloneSite

    print(f"Creating the plain site {site_id} ...", flush=True)
    addPloneSite(
        app,
        site_id,
        setup_content=False,
        extension_ids=["plone.app.contenttypes:default", "plone.restapi:default"],
    )
transaction.commit()
print(f"Plain site {site_id} ready.", flush=True)
