"""The baseline of the feed benchmark: a GeoJSON of the public reports built
the plain Plone way, from catalog results with getURL(). Run with
``zconsole run zope.conf scripts/bench_baseline.py``; prints the number of
features, the best of 3 runs and the first run (in a process just started,
so with cold caches), in seconds."""

from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SpecialUsers import nobody
from Testing.makerequest import makerequest
from zope.component.hooks import setSite

import json
import time


app = makerequest(app)  # noqa: F821 - zconsole provides app
site = app["Plone"]
setSite(site)
newSecurityManager(None, nobody)  # as an anonymous visitor
catalog = site.portal_catalog
timings = []
for _ in range(3):
    started = time.monotonic()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [b.longitude, b.latitude]},
            "properties": {
                "title": b.Title,
                "state": b.review_state,
                "created": b.created.ISO8601(),
                "url": b.getURL(),
            },
        }
        for b in catalog.searchResults(
            portal_type="Report", review_state=["approved", "assigned", "closed"]
        )
        if b.latitude is not None
    ]
    json.dumps({"type": "FeatureCollection", "features": features})
    timings.append(time.monotonic() - started)
print(f"BASELINE {len(features)} {min(timings):.4f} {timings[0]:.4f}", flush=True)
