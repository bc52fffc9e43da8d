"""Back up and restore the site's database and its blobs, while it runs.

Usage::

    python scripts/backup.py backup --var var [--to var/backups] [--full]
    python scripts/backup.py backup --var var --dsn DSN [--to var/backups]
    python scripts/backup.py restore --from var/backups/STAMP --var NEWVAR [--dsn DSN]
    python scripts/backup.py list [--to var/backups]

Without ``--dsn`` the database is a FileStorage (``VAR/filestorage/Data.fs``,
or ``--data-fs``: a ZEO server's is one too), backed up with ``repozo``
into ``TO/filestorage/``: the first time in full, then only what was added
since (``--full`` forces a full one). With ``--dsn`` it is RelStorage in
PostgreSQL, backed up with ``pg_dump``. Then the blobs (``VAR/blobstorage``,
or ``--blobs``) are copied into ``TO/STAMP/blobstorage/``; a blob already in
the previous backup is a hard link to it, as blob files never change.

Each backup is the folder ``TO/STAMP`` (UTC time); its ``manifest.json``,
written last, says what it holds. A folder without one is an interrupted
backup, which ``restore`` refuses.

``restore`` rebuilds the database as it was at that backup, into a new
FileStorage under ``NEWVAR`` or into the PostgreSQL database of ``--dsn``
(created when missing; it must be empty), and copies the blobs into
``NEWVAR/blobstorage`` (or ``--blobs``). It never overwrites anything.
"""

from datetime import datetime
from datetime import UTC
from pathlib import Path

import argparse
import json
import os
import shutil
import subprocess
import sys
import time


BIN = Path(sys.executable).parent
MANIFEST = "manifest.json"
DUMP = "database.dump"
BLOBS = "blobstorage"
REPOZO_REPOSITORY = "filestorage"
REPOZO_SUFFIXES = (".fs", ".fsz", ".deltafs", ".deltafsz")
STAMP_FORMAT = "%Y-%m-%dT%H-%M-%SZ"
REPOZO_DATE_FORMAT = "%Y-%m-%d-%H-%M-%S"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def log(message):
    print(f"backup.py: {message}", flush=True)


def run(command, **kwargs):
    try:
        subprocess.run([str(part) for part in command], check=True, **kwargs)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed") from error
    except subprocess.CalledProcessError as error:
        name = Path(command[0]).name
        raise BackupError(f"{name} failed (exit {error.returncode})") from None


# PostgreSQL


def postgresql_program(name, bindir=None):
    """A PostgreSQL client program: from ``bindir``, else the newest of
    Debian's versions (pg_dump must be at least the server's version; the
    wrapper in /usr/bin may choose an older one), else the PATH."""
    if bindir:
        return Path(bindir) / name
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parent.parent.name),
    )
    if found:
        return found[-1]
    return shutil.which(name) or name


def dsn_parameters(dsn):
    from psycopg2.extensions import parse_dsn

    return parse_dsn(dsn)


def describe_dsn(dsn):
    """The database and server of a DSN, without its password."""
    parameters = dsn_parameters(dsn)
    return {
        key: parameters[key]
        for key in ("dbname", "host", "port", "user")
        if key in parameters
    }


def prepare_database(dsn):
    """Make the database of ``dsn`` if it does not exist; refuse one that
    already has tables: pg_restore would mix the backup with them."""
    from psycopg2 import sql
    from psycopg2.extensions import make_dsn

    import psycopg2

    parameters = dsn_parameters(dsn)
    name = parameters.get("dbname")
    if not name:
        raise BackupError("the DSN names no database (dbname=...)")
    try:
        connection = psycopg2.connect(dsn, connect_timeout=30)
    except psycopg2.OperationalError as error:
        if f'"{name}" does not exist' not in str(error):
            raise BackupError(f"cannot connect to the database: {error}") from error
        server = make_dsn(**dict(parameters, dbname="postgres"))
        connection = psycopg2.connect(server, connect_timeout=30)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                )
        finally:
            connection.close()
        log(f"created the database {name}")
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_catalog.pg_tables"
                " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
            (tables,) = cursor.fetchone()
    finally:
        connection.close()
    if tables:
        raise BackupError(
            f"the database {name} is not empty ({tables} tables): restore "
            "into a new database"
        )


def dump_postgresql(dsn, target, bindir=None):
    # One transaction of repeatable-read isolation: the dump is the
    # database at the moment it starts, whatever is committed meanwhile.
    # RelStorage's blobs kept in the database (shared-blob-dir false) are
    # large objects, which a dump of the whole database includes.
    run(
        [
            postgresql_program("pg_dump", bindir),
            "--format=custom",
            "--no-password",
            f"--file={target}",
            f"--dbname={dsn}",
        ],
        env=dict(os.environ, PGCONNECT_TIMEOUT="30"),
    )


def restore_postgresql(dsn, dump, bindir=None):
    prepare_database(dsn)
    run(
        [
            postgresql_program("pg_restore", bindir),
            # The tables belong to whoever restores: the backup's owner may
            # not exist on the new server.
            "--no-owner",
            "--no-privileges",
            # All or nothing: a database half restored looks like a good one.
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={dsn}",
            dump,
        ],
        env=dict(os.environ, PGCONNECT_TIMEOUT="30"),
    )


# FileStorage


def repozo_dates(repository):
    """The dates (repozo's names) of the backups in the repository."""
    return sorted(
        path.name.split(".")[0]
        for path in repository.iterdir()
        if path.suffix in REPOZO_SUFFIXES
    )


def repozo_date(repository):
    """The date (repozo's name) of the newest backup in the repository."""
    dates = repozo_dates(repository)
    if not dates:
        raise BackupError(f"repozo wrote nothing into {repository}")
    return dates[-1]


def wait_for_new_repozo_second(repository):
    """repozo names a backup by the second it starts in. A full backup and
    the incremental one after it in the same second share a name, and
    ``--recover`` then sorts ``X.deltafs`` before ``X.fs`` and restores the
    full one only: wait until the newest name lies in the past."""
    dates = repozo_dates(repository)
    while dates and time.strftime(REPOZO_DATE_FORMAT, time.gmtime()) <= dates[-1]:
        time.sleep(0.05)


def backup_filestorage(data_fs, repository, full=False):
    """Full or incremental backup; the date to restore it with."""
    if not data_fs.exists():
        raise BackupError(f"there is no FileStorage at {data_fs}")
    repository.mkdir(mode=0o700, parents=True, exist_ok=True)
    # repozo opens the FileStorage read-only, without taking its lock, and
    # copies it up to the end of the last committed transaction: the
    # running instance goes on writing after that point meanwhile.
    wait_for_new_repozo_second(repository)
    command = [BIN / "repozo", "--backup", "-r", repository, "-f", data_fs]
    if full:
        command.append("--full")
    run(command, stdout=subprocess.DEVNULL)
    return repozo_date(repository)


def restore_filestorage(repository, date, data_fs):
    data_fs.parent.mkdir(parents=True, exist_ok=True)
    # --with-verify checks each file against the checksums repozo wrote.
    run(
        [BIN / "repozo", "--recover", "--with-verify"]
        + ["-r", repository, "-D", date, "-o", data_fs],
        stdout=subprocess.DEVNULL,
    )


# Blobs


def copy_blobs(source, target, previous=None):
    """Copy the blob folder; a file the previous backup has already, with
    the same size, is linked to it instead. The number of files and bytes."""
    files = size = 0
    if not source.is_dir():
        raise BackupError(f"there is no blob folder at {source}")
    for folder, subfolders, names in os.walk(source):
        here = Path(folder)
        relative = here.relative_to(source)
        if relative == Path("."):
            # Blobs of transactions still being committed.
            subfolders[:] = [name for name in subfolders if name != "tmp"]
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in names:
            origin = here / name
            destination = target / relative / name
            try:
                length = origin.stat().st_size
            except FileNotFoundError:
                continue  # removed by a pack meanwhile
            earlier = previous / relative / name if previous else None
            if earlier is not None and _same_size(earlier, length):
                try:
                    os.link(earlier, destination)
                except OSError:
                    shutil.copy2(earlier, destination)
            else:
                try:
                    shutil.copy2(origin, destination)
                except FileNotFoundError:
                    continue
            if name.endswith(".blob"):
                files += 1
                size += length
    return files, size


def _same_size(path, length):
    try:
        return path.stat().st_size == length
    except FileNotFoundError:
        return False


def check_no_blobs(target):
    if target.exists() and any(
        path.name not in (".layout", "tmp") for path in target.iterdir()
    ):
        raise BackupError(f"{target} has blobs already: restore into a new folder")


def restore_blobs(source, target):
    check_no_blobs(target)
    target.mkdir(parents=True, exist_ok=True)
    # A copy, not links: the restored site must not share files with the
    # backups it may be restored from again.
    shutil.copytree(source, target, dirs_exist_ok=True)
    (target / "tmp").mkdir(exist_ok=True)


# The commands


def backups(folder):
    """The complete backups in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if (path / MANIFEST).is_file())


def new_stamp_folder(folder):
    while True:
        stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
        target = folder / stamp
        try:
            target.mkdir(mode=0o700)
            return target
        except FileExistsError:
            # repozo names its files to the second, too.
            time.sleep(1)


def backup(args):
    var = args.var.resolve()
    folder = (args.to or var / "backups").resolve()
    blobs = (args.blobs or var / BLOBS).resolve()
    # The backups hold the reporters' personal data: their owner only.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    previous = backups(folder)
    started = time.monotonic()
    target = new_stamp_folder(folder)
    manifest = {
        "format": 1,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    # The database first, the blobs after: every blob a transaction of the
    # backed-up database refers to was written before that transaction was
    # committed, so it is in the folder when the copy starts.
    if args.dsn:
        dump_postgresql(args.dsn, target / DUMP, args.pg_bin)
        manifest["database"] = {
            "kind": "relstorage",
            "dump": DUMP,
            "source": describe_dsn(args.dsn),
            "bytes": (target / DUMP).stat().st_size,
        }
    else:
        data_fs = (args.data_fs or var / "filestorage" / "Data.fs").resolve()
        repository = folder / REPOZO_REPOSITORY
        date = backup_filestorage(data_fs, repository, full=args.full)
        manifest["database"] = {
            "kind": "filestorage",
            "repository": os.path.relpath(repository, target),
            "date": date,
            "source": str(data_fs),
        }
    files, size = copy_blobs(
        blobs, target / BLOBS, previous[-1] / BLOBS if previous else None
    )
    manifest["blobs"] = {"files": files, "bytes": size, "source": str(blobs)}
    manifest["seconds"] = round(time.monotonic() - started, 1)
    # Written last, and at once: a manifest means a complete backup.
    partial = target / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, indent=2) + "\n")
    partial.rename(target / MANIFEST)
    log(
        f"{target}: {manifest['database']['kind']}, {files} blob files "
        f"({size} bytes), {manifest['seconds']} s"
    )
    return target


def restore(args):
    source = args.source.resolve()
    manifest_file = source / MANIFEST
    if not manifest_file.is_file():
        raise BackupError(f"{source} is not a complete backup (no {MANIFEST})")
    manifest = json.loads(manifest_file.read_text())
    database = manifest["database"]
    var = args.var.resolve()
    blobs = (args.blobs or var / BLOBS).resolve()
    if database["kind"] == "relstorage":
        if not args.dsn:
            raise BackupError("a RelStorage backup restores into a database: --dsn")
        # Before the database: a refusal leaves nothing behind.
        check_no_blobs(blobs)
        restore_postgresql(args.dsn, source / database["dump"], args.pg_bin)
    else:
        if args.dsn:
            raise BackupError("this backup is of a FileStorage: no --dsn")
        data_fs = (args.data_fs or var / "filestorage" / "Data.fs").resolve()
        if data_fs.exists():
            # repozo would delete it first.
            raise BackupError(f"{data_fs} exists: restore into a new folder")
        check_no_blobs(blobs)
        repository = (source / database["repository"]).resolve()
        restore_filestorage(repository, database["date"], data_fs)
    restore_blobs(source / BLOBS, blobs)
    log(f"restored {source.name} ({database['kind']}); blobs in {blobs}")


def list_backups(args):
    folder = (args.to or Path("var") / "backups").resolve()
    for path in backups(folder):
        manifest = json.loads((path / MANIFEST).read_text())
        blobs = manifest["blobs"]
        print(
            f"{path.name}  {manifest['database']['kind']:<11}  "
            f"{blobs['files']} blob files, {blobs['bytes']} bytes"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def storage_options(command, var_help):
        command.add_argument("--var", type=Path, default=Path("var"), help=var_help)
        command.add_argument(
            "--dsn",
            default=os.environ.get("RELSTORAGE_DSN") or None,
            help="RelStorage's PostgreSQL database, e.g. 'dbname=plone "
            "user=plone host=127.0.0.1'",
        )
        command.add_argument(
            "--data-fs", type=Path, help="the FileStorage (VAR/filestorage/Data.fs)"
        )
        command.add_argument(
            "--blobs", type=Path, help="the blob folder (VAR/blobstorage)"
        )
        command.add_argument("--pg-bin", help="the folder of pg_dump and pg_restore")

    make = commands.add_parser("backup", help="back up the database and the blobs")
    storage_options(make, "the instance's var folder (var)")
    make.add_argument("--to", type=Path, help="the backups' folder (VAR/backups)")
    make.add_argument(
        "--full", action="store_true", help="a full repozo backup, not incremental"
    )
    make.set_defaults(function=backup)

    back = commands.add_parser("restore", help="restore a backup into a new place")
    storage_options(back, "the new instance's var folder")
    back.add_argument(
        "--from", dest="source", type=Path, required=True, help="TO/STAMP"
    )
    back.set_defaults(function=restore)

    show = commands.add_parser("list", help="the complete backups")
    show.add_argument("--to", type=Path, help="the backups' folder (var/backups)")
    show.set_defaults(function=list_backups)

    args = parser.parse_args(argv)
    try:
        args.function(args)
    except BackupError as error:
        print(f"backup.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
