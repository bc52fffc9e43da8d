"""The lock the writers of several processes share (``WRITERS_LOCK``): a
file for the processes of one machine, PostgreSQL's advisory lock for
RelStorage. Each must keep a second holder out until the first lets go,
also when the first dies, and a change nested in another must not wait for
itself. The bursts on two processes (``test_burst``) are the end-to-end
check: no request reaches Zope's retry."""

from collective.civicreports.reports import commits
from collective.civicreports.testing import POSTGRESQL

import fcntl
import os
import tempfile
import threading
import time
import unittest


def holds_out(test, first, second, let_go=None, before_release=0.5, after_release=10):
    """``first`` holds the lock: ``second`` waits until it lets go
    (``let_go``, its ``release`` unless told)."""
    taken = threading.Event()

    def take():
        second.acquire()
        taken.set()

    first.acquire()
    waiter = threading.Thread(target=take, daemon=True)
    waiter.start()
    test.assertFalse(taken.wait(before_release), "both held the lock at once")
    (let_go or first.release)()
    test.assertTrue(taken.wait(after_release), "the lock was not given on")
    second.release()
    waiter.join(5)


class ChoiceTest(unittest.TestCase):
    def test_the_value_names_the_lock(self):
        self.assertIsInstance(commits.writers_lock(""), commits.NoLock)
        self.assertIsInstance(commits.writers_lock("/srv/var/w.lock"), commits.FileLock)
        for dsn in ("postgresql://zope@db/plone", "dbname=plone host=db user=zope"):
            lock = commits.writers_lock(dsn)
            self.assertIsInstance(lock, commits.PostgreSQLLock)
            self.assertEqual(lock.dsn, dsn)


class FileLockTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.folder.name, "writers.lock")

    def tearDown(self):
        self.folder.cleanup()

    def lock(self):
        lock = commits.FileLock(self.path)
        self.addCleanup(lock.close)
        return lock

    def test_a_second_holder_waits(self):
        # Two opens of the file are two holders for flock, as two
        # processes are.
        holds_out(self, self.lock(), self.lock())

    def test_writers_take_turns(self):
        inside = []
        overlaps = []

        def write(lock):
            for _ in range(30):
                lock.acquire()
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(len(inside))
                time.sleep(0.001)
                inside.pop()
                lock.release()

        threads = [
            threading.Thread(target=write, args=(self.lock(),)) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(overlaps, [])

    def held_by_someone(self):
        with open(self.path, "a") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(other, fcntl.LOCK_UN)
            return False

    def test_a_nested_change_keeps_the_lock_to_the_end(self):
        # A staff form that submits a report for a citizen: a change
        # within a change, in one thread. The inner one's end must not let
        # the lock go while the outer one still writes.
        saved = commits._shared
        commits._shared = self.lock()
        seen = []

        def outer():
            commits.committed(lambda: seen.append(("inner", self.held_by_someone())))
            seen.append(("outer", self.held_by_someone()))

        try:
            worker = threading.Thread(
                target=lambda: commits.committed(outer), daemon=True
            )
            worker.start()
            worker.join(10)
            self.assertEqual(seen, [("inner", True), ("outer", True)])
            # And it was let go at the end.
            self.assertFalse(self.held_by_someone())
        finally:
            commits._shared = saved


class PostgreSQLLockTest(unittest.TestCase):
    layer = POSTGRESQL

    def lock(self):
        lock = commits.PostgreSQLLock(self.layer["postgresql_dsn"])
        self.addCleanup(lock.close)
        return lock

    def test_a_second_holder_waits(self):
        holds_out(self, self.lock(), self.lock())

    def test_a_dead_holder_lets_it_go(self):
        first = self.lock()
        # A process killed with the lock held: its connection ends.
        holds_out(self, first, self.lock(), let_go=lambda: first.connection.close())

    def test_a_lost_connection_is_made_again(self):
        lock, other = self.lock(), self.lock()
        lock.acquire()
        lock.release()
        other.acquire()
        with other.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(%s)", (lock.connection.get_backend_pid(),)
            )
        other.release()
        # The server closed the first lock's connection: it connects again
        # and still keeps the other out.
        holds_out(self, lock, other)
