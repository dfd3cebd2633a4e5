"""Errors that reach the user as one clear line.

Every error the planner raises for bad input names *where* the problem is (a field path
such as ``blockades[2].radius_m`` or a file name) and *what was expected*, so the CLI can
print it on one line and exit with code 2, and the app can show it next to the field.
"""

from __future__ import annotations


class SenkataError(Exception):
    """Base class of all errors meant for the user (not for programming bugs)."""


class InputError(SenkataError):
    """Bad input: a scenario field, a file, an option.

    Parameters
    ----------
    where
        Field path (``fleet[0].capacity``) or file name the problem is in.
    message
        What is wrong and what was expected.
    """

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


class MapSourceError(SenkataError):
    """A road map could not be read or downloaded (missing file, bad format, offline)."""


class PlanInfeasibleError(SenkataError):
    """The scenario is valid but no plan can exist (e.g. the plant is sealed in)."""
