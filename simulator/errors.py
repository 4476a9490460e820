"""The one error type for bad user input: a single clear line naming where and what was expected."""

import re

#: Longest message an InputError carries [characters]; longer ones (a value echoed from a hostile
#: file) are cut, so a message can never cost more than a line on the screen.
MAX_MESSAGE = 300


def clip(text: object, limit: int = 60) -> str:
    """``text`` on one line and at most ``limit`` characters (cut with "..."), for echoing user values."""
    line = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text))
    return line if len(line) <= limit else line[: max(limit - 3, 1)] + "..."


class InputError(ValueError):
    """Bad input from a user file or argument.

    The message is one line that names the file (and row, column or key where known) and what was
    expected. Shells print it without a traceback and exit with code 2. Control characters become
    spaces and the message is cut at ``MAX_MESSAGE`` characters.
    """

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(clip(message, MAX_MESSAGE), *args)
