"""A confidential report is closed to the public roles, whatever set its
permissions: the security of ``Report`` (see ``ConfidentialRoles``)."""

from collective.civicreports.permissions import PUBLIC_ROLES


class ConfidentialRoles:
    """Stores the roles of a permission, hiding the public ones while the
    report is confidential.

    Zope keeps the roles that hold a permission on an object in an attribute
    such as ``_View_Permission``; the workflow writes it on every transition
    and on "update security settings". Filtering when the attribute is read,
    rather than after each write, keeps a confidential report closed whatever
    wrote the roles last, and every route (pages, REST, catalog security
    index) asks Zope the same question.
    """

    def __init__(self, permission_attribute):
        self.name = permission_attribute

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        obj._p_activate()
        try:
            roles = obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        if not obj.__dict__.get("confidential"):
            return roles
        # A tuple also stops acquisition of the container's public roles.
        return tuple(role for role in roles if role not in PUBLIC_ROLES)

    def __set__(self, obj, roles):
        obj._p_activate()
        obj.__dict__[self.name] = roles
        obj._p_changed = True

    def __delete__(self, obj):
        obj._p_activate()
        try:
            del obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        obj._p_changed = True
