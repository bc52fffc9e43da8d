"""Every name that Zope and Plone would publish on an object, found in the
running configuration rather than listed by hand: a view registered
tomorrow, by us or by any package the site has, is on the list the day it
is registered.

- Views and REST services: every named (context, request) adapter of the
  global and the site's registries whose context the object provides
  (plone.rest registers its services so, as ``<METHOD>_<media type>_<name>``).
- Zope's methods: every public attribute of the object with a docstring,
  which is what ZPublisher publishes.
- What acquisition reaches from the object: the skin layers' scripts and
  templates, and the site's own items (the tools).
- The WebDAV and HTTP verbs Zope answers on any object.
"""

from Acquisition import aq_base
from dataclasses import dataclass
from plone import api
from zope.component import getSiteManager
from zope.interface import providedBy
from zope.publisher.interfaces import IRequest

import re


VERBS = (
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "PUT",
    "DELETE",
    "OPTIONS",
    "TRACE",
    "HEAD",
)
SERVICE_RE = re.compile(
    r"^(?P<method>[A-Z]+)_(?P<media>[a-z]+_[a-z0-9.+-]+)_(?P<name>.*)$"
)


@dataclass(frozen=True)
class Route:
    """One way to publish something on an object."""

    method: str
    # Appended to the object's URL ("" for the object itself).
    path: str
    # The Accept header, for REST services.
    accept: str = ""
    # What found it: view, service, method, acquired, verb.
    kind: str = ""

    def __str__(self):
        return f"{self.method} {self.path or '.'}" + (" (JSON)" if self.accept else "")


def _registries():
    """The site's registry and all it inherits from (the global one, or in
    the tests the stack of the test layers' registries)."""
    found, todo = [], [getSiteManager()]
    while todo:
        registry = todo.pop()
        if registry not in found:
            found.append(registry)
            todo.extend(getattr(registry, "__bases__", ()))
    return found


def _adapter_names(obj):
    provided = providedBy(obj)
    names = set()
    for registry in _registries():
        for registration in registry.registeredAdapters():
            required = registration.required
            if len(required) != 2 or not registration.name:
                continue
            context, request = required
            if request is None or not request.isOrExtends(IRequest):
                continue
            if context is not None and not provided.isOrExtends(context):
                continue
            names.add(registration.name)
    return names


def _method_names(obj):
    names = set()
    base = aq_base(obj)
    for name in dir(base):
        if name.startswith("_"):
            continue
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        if callable(value) and getattr(value, "__doc__", None):
            names.add(name)
    return names


def _acquired_names():
    portal = api.portal.get()
    names = set(portal.objectIds())
    skins = api.portal.get_tool("portal_skins")
    for layer in skins.getSkinPath(skins.getDefaultSkin()).split(","):
        folder = skins.unrestrictedTraverse(layer.strip(), None)
        if folder is not None and hasattr(folder, "objectIds"):
            names.update(folder.objectIds())
    return names


def discover(obj):
    """Every Route publishable on ``obj``, sorted."""
    routes = set()
    for name in _adapter_names(obj):
        match = SERVICE_RE.match(name)
        if match:
            accept = match.group("media").replace("_", "/", 1)
            routes.add(
                Route(match.group("method"), match.group("name"), accept, "service")
            )
        elif not name.startswith("++"):
            routes.add(Route("GET", "@@" + name, kind="view"))
    for name in _method_names(obj):
        routes.add(Route("GET", name, kind="method"))
    for name in _acquired_names():
        routes.add(Route("GET", name, kind="acquired"))
    for verb in VERBS:
        routes.add(Route(verb, "", kind="verb"))
    return sorted(routes, key=lambda route: (route.path, route.method, route.accept))
