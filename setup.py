from pathlib import Path
from setuptools import find_namespace_packages
from setuptools import setup


long_description = "\n\n".join(
    Path(name).read_text(encoding="utf-8") for name in ("README.rst", "CHANGES.rst")
)

setup(
    name="collective.civicreports",
    version="1.0.0a1.dev0",
    description="Citizen reports (segnalazioni) for Plone: submission, moderation, "
    "routing to offices and e-mail notifications.",
    long_description=long_description,
    long_description_content_type="text/x-rst",
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Environment :: Web Environment",
        "Framework :: Plone",
        "Framework :: Plone :: 6.2",
        "Framework :: Plone :: Addon",
        "Programming Language :: Python",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
    ],
    keywords="Plone citizen reports segnalazioni municipality e-government",
    license="GPL version 2",
    packages=find_namespace_packages("src", include=["collective.*"]),
    package_dir={"": "src"},
    include_package_data=True,
    zip_safe=False,
    python_requires=">=3.11",
    install_requires=[
        "setuptools",
        "Products.CMFPlone>=6.2,<6.3",
        "plone.api",
        "plone.restapi",
        "plone.app.dexterity",
        "plone.app.contenttypes",
        "plone.app.contentrules",
        "plone.app.registry",
        "plone.stringinterp",
        "collective.geolocationbehavior",
        "Pillow",
        "openpyxl",
        # Public holidays for office-day deadlines (sla/deadlines.py).
        "holidays",
        # Fiscal codes and IBANs (privacy/validators.py, privacy/detectors.py).
        "python-stdnum",
        # Phone numbers in reporter data and in free text.
        "phonenumbers",
        "python-dateutil",
        # SPID and CIE through the municipality's OpenID Connect broker.
        "pas.plugins.oidc",
        # The PDF receipt of a report.
        "fpdf2",
        # The App IO client (appio/client.py).
        "requests",
    ],
    extras_require={
        "test": [
            "plone.app.testing",
            "plone.testing",
            "zope.testrunner",
            "requests",
            "aiosmtpd",
            "selenium",
            "lxml",
            "schemathesis",
            # Generated hostile input (tests/test_hostile_inputs.py).
            "hypothesis",
            # Several Zope processes on one database, as in production.
            "ZEO",
            "RelStorage",
            "psycopg2-binary",
            # The OpenID Connect provider the identity tests start.
            "pyop",
        ],
        "dev": ["aiosmtpd"],
        # `make start-zeo` and `make start-relstorage`: several Zope
        # processes behind a load balancer.
        "production": ["ZEO", "RelStorage", "psycopg2-binary"],
    },
    entry_points={
        "z3c.autoinclude.plugin": ["target = plone"],
        "paste.filter_app_factory": [
            "strict_paths = collective.civicreports.inputs.wsgi:strict_paths",
        ],
        "console_scripts": [
            "civicreports-daily = collective.civicreports.jobs.daily:main",
        ],
    },
)
