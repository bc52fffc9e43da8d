"""What the people who run the site need from it: the health check a load
balancer asks each Zope process (``@@health``)."""
