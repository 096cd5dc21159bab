"""The one exception type that the command line turns into a single line and exit status 2.

Raise `UserError` for anything a user can fix: a missing file, a malformed line, an unknown option,
a diverging loss. Its message is the whole story: one line, no traceback.
"""


class UserError(Exception):
    """A problem with the user's input or environment, reported as one line with exit status 2."""


class DataError(UserError):
    """A data file that is present but wrong (bad checksum, malformed line): names the file and line."""


class WriteError(UserError, OSError):
    """An output that could not be written (full disk, no permission): one line naming the target.

    Also an `OSError`, so code that treats a failed write as a lost speed-up (a cache) still can.
    """
