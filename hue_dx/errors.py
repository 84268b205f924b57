"""The errors a person can fix: one family, each with a Vietnamese message that says what is
wrong, where, and how to fix it.

``hue_dx.cli.main`` turns any ``HueDxError`` into one line and exit code 2; anything else is a
fault of hue-dx itself and reaches its "lỗi không lường trước" path (a ``KeyError`` or a
``ValueError`` of a bug is never passed off as a usage error). Each module keeps its own
subclass where its callers name it (``catalog.CatalogError``, ``campaign.CampaignError``,
``tracking.tasks.TasksError``…); a subclass may also be a ``ValueError`` or ``LookupError``
where callers catch those. Pure standard library.
"""

from __future__ import annotations


class HueDxError(Exception):
    """A command cannot run as asked; the message, in Vietnamese, says why and how to fix it."""


class UsageError(HueDxError):
    """The command line asks for what cannot be done: a missing file, a folder for a file."""


class NotFound(HueDxError, LookupError):
    """A code that names nothing in its list (a unit, a criterion, a task, a rule kind, a
    level); the message lists what there is."""
