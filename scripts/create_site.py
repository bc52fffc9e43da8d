"""Create the demo site once; run with ``zconsole run zope.conf create_site.py``.

Environment: SITE_ID (Plone), SMTP_PORT (8025), MAIL_QUEUE (queue folder),
OIDC_PORT (8081, the demo SPID/CIE broker), APPIO_PORT (8026, the App IO
stand-in), DEMO_LANGUAGE (it).
"""

from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SpecialUsers import system
from Testing.makerequest import makerequest
from zope.component.hooks import setSite

import os
import transaction


site_id = os.environ.get("SITE_ID", "Plone")
smtp_port = int(os.environ.get("SMTP_PORT", "8025"))
queue = os.environ.get("MAIL_QUEUE", "")
language = os.environ.get("DEMO_LANGUAGE", "it")
oidc_port = int(os.environ.get("OIDC_PORT", "8081"))
appio_port = int(os.environ.get("APPIO_PORT", "8026"))

app = makerequest(app)  # noqa: F821 - zconsole provides app
newSecurityManager(None, system)

if site_id not in app.objectIds():
    from Products.CMFPlone.factory import addPloneSite

    print(f"Creating the site {site_id} ...", flush=True)
    site = addPloneSite(
        app,
        site_id,
        title="Comune di Esempio",
        setup_content=False,
        default_language=language,
        portal_timezone="Europe/Rome",
        extension_ids=[
            "plone.app.contenttypes:default",
            "plone.app.layout:default",
            "plonetheme.barceloneta:default",
            "collective.civicreports:default",
            "collective.civicreports:demo",
        ],
    )
    setSite(site)
    from collective.civicreports.demo import accounts
    from collective.civicreports.demo import samples

    folder = accounts.setup_demo(site)
    # Topics of the Designers Italia list of the municipalities.
    folder.topics = ["Ambiente", "Gestione rifiuti", "Spazio verde", "Urbanizzazione"]
    samples.create_sample_reports(folder)
else:
    site = app[site_id]
    setSite(site)

from collective.civicreports.portlets.reports import assign_on_home
from collective.civicreports.setuphandlers import show_in_navigation
from plone import api


# The ways in from the home page: the folder in the navigation and the
# site map (also of a demo made before they were), the portlet of the
# reports, and sitemap.xml.gz for the search engines.
show_in_navigation()
assign_on_home(site)
api.portal.set_registry_record("plone.enable_sitemap", True)


# Mail goes to the local capturing SMTP server, through a queue so that a
# request retried after a ConflictError never sends a mail twice.
# Plone reads the SMTP server from the registry (Site Setup > Mail).
api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
api.portal.set_registry_record("plone.smtp_port", smtp_port)
if queue:
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(queue, sub), exist_ok=True)
    site.MailHost.smtp_queue = True
    site.MailHost.smtp_queue_directory = queue
if not api.portal.get_registry_record("plone.email_from_address"):
    api.portal.set_registry_record("plone.email_from_address", "urp@comune.example.it")
    api.portal.set_registry_record("plone.email_from_name", "Comune di Esempio - URP")
# SPID and CIE through the demo broker that `make start` runs
# (scripts/oidc_provider.py), and App IO through its stand-in
# (scripts/appio_standin.py): both on 127.0.0.1, as the real ones are not
# reachable from here.
api.portal.set_registry_record("collective.civicreports.identity.enabled", True)
api.portal.set_registry_record(
    "collective.civicreports.identity.issuer", f"http://127.0.0.1:{oidc_port}"
)
api.portal.set_registry_record(
    "collective.civicreports.identity.client_id", "civicreports"
)
api.portal.set_registry_record(
    "collective.civicreports.identity.client_secret", "civicreports-demo"
)
api.portal.set_registry_record("collective.civicreports.appio.enabled", True)
api.portal.set_registry_record(
    "collective.civicreports.appio.base_url", f"http://127.0.0.1:{appio_port}/api/v1"
)
api.portal.set_registry_record(
    "collective.civicreports.appio.api_key", "demo-appio-key"
)
# The demo is served on 127.0.0.1, which Plone leaves unthemed by default.
api.portal.set_registry_record(
    "plone.app.theming.interfaces.IThemeSettings.hostnameBlacklist", []
)
transaction.commit()
print(f"Site {site_id} ready.", flush=True)
