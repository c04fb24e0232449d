"""Work side by side in a forked copy of the process: its answer, or nothing, whatever the child does."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from dlint.columns import split

LINUX = pytest.mark.skipif(sys.platform != "linux", reason="the fork is used on Linux only")


def _pid() -> bytes:
    return str(os.getpid()).encode()


@LINUX
def test_the_work_runs_in_another_process() -> None:
    parent = str(os.getpid()).encode()
    assert split.start(_pid, fork=True)() != parent
    assert split.start(_pid, fork=False)() == parent


@LINUX
def test_a_child_that_fails_or_dies_answers_nothing() -> None:
    def raises() -> bytes:
        raise RuntimeError("boom")

    def dies() -> bytes:
        os._exit(3)

    assert split.start(raises, fork=True)() is None
    assert split.start(dies, fork=True)() is None


@LINUX
def test_no_fork_while_another_thread_runs() -> None:
    parent = str(os.getpid()).encode()
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        assert not split.can_fork()
        assert split.start(_pid, fork=True)() == parent
    finally:
        release.set()
        worker.join()


@LINUX
def test_every_child_is_reaped() -> None:
    pids = []
    for _ in range(3):
        answer = split.start(lambda: str(os.getpid()).encode(), fork=True)()
        assert answer is not None
        pids.append(int(answer))
    split.reap(block=True)
    assert not split._exiting
    for pid in pids:
        with pytest.raises(ChildProcessError):  # reaped: not even a zombie is left
            os.waitpid(pid, os.WNOHANG)


@LINUX
def test_an_abandoned_child_is_stopped_at_once() -> None:
    pending = split.start(lambda: time.sleep(60) or b"late", fork=True)
    started = time.monotonic()
    assert pending(abandon=True) is None
    assert time.monotonic() - started < 10
    split.reap(block=True)
    assert not split._exiting


def test_abandoned_work_that_did_not_fork_never_runs() -> None:
    ran: list[int] = []
    pending = split.start(lambda: ran.append(1) or b"", fork=False)
    assert pending(abandon=True) is None
    assert ran == []


@pytest.mark.parametrize("fork", [True, False])
def test_shared_jobs_are_each_done_once_and_in_order(fork: bool) -> None:
    ran = []
    answers = split.share_out(50, lambda index: str(index * index).encode(), lambda: ran.append(1), fork=fork)
    assert answers == [str(index * index).encode() for index in range(50)]
    assert ran == [1]


@LINUX
def test_both_processes_take_jobs_in_turn() -> None:
    parent = os.getpid()

    def job(index: int) -> bytes:
        time.sleep(0.01)
        return f"{index} {os.getpid()}".encode()

    answers = split.share_out(60, job, lambda: time.sleep(0.2), fork=True)
    pids = [int(answer.split()[1]) for answer in answers]
    assert [int(answer.split()[0]) for answer in answers] == list(range(60))
    assert pids[0] != parent  # the child starts while this process is busy
    assert parent in pids and len(set(pids)) == 2


@LINUX
def test_jobs_a_dying_child_took_are_done_here() -> None:
    parent = os.getpid()

    def job(index: int) -> bytes:
        if index == 5 and os.getpid() != parent:
            os._exit(3)
        time.sleep(0.002)
        return str(index).encode()

    answers = split.share_out(30, job, lambda: time.sleep(0.03), fork=True)
    assert answers == [str(index).encode() for index in range(30)]
