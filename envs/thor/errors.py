"""The two ways THOR fails, so that callers (and tests) can tell set-up problems from a backend that
broke mid-run. Both are RuntimeErrors whose message names what is missing and how to fix it."""

from __future__ import annotations


class ThorSetupError(RuntimeError):
    """Something THOR needs is missing before a backend can start: the package, a build, a display."""


class ThorBackendError(RuntimeError):
    """The Unity backend died, hung past the timeout, or answered something the env cannot use."""


class ThorTimeout(ThorBackendError):
    """A controller call did not come back within ``timeout`` seconds."""
