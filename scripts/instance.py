"""Write the configuration of the local Zope instance under var/.

Usage: python scripts/instance.py VAR_DIR PORT
"""

from pathlib import Path

import sys


ZOPE_CONF = """\
%define INSTANCEHOME {instance}
instancehome $INSTANCEHOME
%define CLIENTHOME {var}
clienthome $CLIENTHOME
debug-mode off
security-policy-implementation C
verbose-security off
default-zpublisher-encoding utf-8
<environment>
  zope_i18n_compile_mo_files true
  CHAMELEON_CACHE {var}/cache
{environment}</environment>
{storage}"""

FILESTORAGE = """\
<zodb_db main>
  <filestorage>
    path {var}/filestorage/Data.fs
    blob-dir {var}/blobstorage
  </filestorage>
  mount-point /
  cache-size 30000
</zodb_db>
"""

ZOPE_INI = """\
[app:zope]
use = egg:Zope#main
zope_conf = %(here)s/zope.conf

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:{port}
threads = {threads}
clear_untrusted_proxy_headers = false
max_request_body_size = 104857600

[filter:translogger]
use = egg:Paste#translogger
setup_console_handler = False

[pipeline:main]
pipeline =
    egg:Zope#httpexceptions
    translogger
    egg:collective.civicreports#strict_paths
    zope

[loggers]
keys = root, plone, waitress.queue, waitress, wsgi

[handlers]
keys = console, accesslog, eventlog

[formatters]
keys = generic, message

[logger_root]
level = INFO
handlers = console, eventlog

[logger_plone]
level = INFO
handlers = eventlog
qualname = plone

[logger_waitress.queue]
level = INFO
handlers = eventlog
qualname = waitress.queue
propagate = 0

[logger_waitress]
level = INFO
handlers = eventlog
qualname = waitress

[logger_wsgi]
level = WARN
handlers = accesslog
qualname = wsgi
propagate = 0

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = INFO
formatter = generic

[handler_accesslog]
class = FileHandler
args = (r'{var}/log/access.log', 'a')
level = INFO
formatter = message

[handler_eventlog]
class = FileHandler
args = (r'{var}/log/event.log', 'a')
level = INFO
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-7.7s [%(name)s:%(lineno)s][%(threadName)s] %(message)s

[formatter_message]
format = %(message)s
"""


def write_instance(var, port, threads=4, storage=None, environment=None):
    """The instance folder; ``storage`` replaces the FileStorage section of
    zope.conf (ZEO, RelStorage), ``environment`` is added to its
    environment (what the processes of one database share)."""
    var = Path(var).resolve()
    instance = var / "instance"
    for folder in (
        instance,
        var / "filestorage",
        var / "blobstorage",
        var / "log",
        var / "cache",
    ):
        folder.mkdir(parents=True, exist_ok=True)
    storage = storage or FILESTORAGE.format(var=var)
    (instance / "zope.conf").write_text(
        ZOPE_CONF.format(
            instance=instance,
            var=var,
            storage=storage,
            environment="".join(
                f"  {key} {value}\n" for key, value in (environment or {}).items()
            ),
        )
    )
    (instance / "zope.ini").write_text(
        ZOPE_INI.format(var=var, port=port, threads=threads)
    )
    return instance


if __name__ == "__main__":
    print(write_instance(sys.argv[1], int(sys.argv[2])))
