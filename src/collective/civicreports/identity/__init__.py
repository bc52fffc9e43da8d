"""SPID and CIE through the municipality's OpenID Connect broker.

``pas.plugins.oidc`` runs the protocol; this package installs its plugin
for the broker of the settings, maps the identity provider's claims to the
citizen's account, and answers the questions of the routes: who is this
citizen (``citizen.known_reporter``), where does the login start
(``citizen.login_url``), is a report's reporter verified
(``citizen.reporter_verified``).
"""
