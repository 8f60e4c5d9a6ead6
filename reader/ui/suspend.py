"""Ctrl+Z: whether a stopped reader can be brought back, and what is kept before it stops.

Textual turns the terminal's ISIG off, so Ctrl+Z is a key, bound by ``ReaderApp`` to
Textual's ``action_suspend_process``: it publishes ``app_suspend_signal`` (the saves are
written then: where the library was left, the queued saves, a note being typed kept as
a draft) and stops the process (SIGTSTP, then SIGTSTP's handler in Textual's driver
leaves application mode and sends SIGSTOP). ``fg`` sends SIGCONT: the driver starts
application mode again (with a Resize, so a terminal resized meanwhile is measured) and
posts the resume, on which the screen is drawn again in full.

A SIGSTOP cannot be refused, even by a process group nobody can continue: a reader that
is its session's leader (run straight by tmux or a terminal, no shell) or that shares
its parent's process group (a shell without job control, ``sh -c``) would stay stopped
for good, its terminal frozen. So would one run by a wrapper that waits for it in its
process group (``uv run reader``, a script without ``exec``): Textual stops the process,
not its group, so the shell, waiting for the wrapper, never sees the job stopped (and
stopping the whole group instead races: the shell takes the terminal back while reader is
still leaving application mode, and a SIGTTOU stops it there; after ``fg`` it stops itself
again). There the key only says so (what the kernel does for a plain SIGTSTP to an
orphaned process group: nothing)."""

from __future__ import annotations

import os


def shell_can_resume() -> bool:
    """Whether a shell with job control started this process, so that ``fg`` can bring it
    back: its parent is in the same session and in another process group (POSIX: the
    process group is not orphaned), and this process does not lead the session."""
    try:
        session = os.getsid(0)
        parent = os.getppid()
        return (
            session != os.getpid()
            and os.getsid(parent) == session
            and os.getpgid(parent) != os.getpgrp()
        )
    except OSError:  # the parent gone meanwhile: nobody to come back to
        return False
