"""The one error type for bad user input: a single clear line naming where and what was expected."""


class InputError(ValueError):
    """Bad input from a user file or argument.

    The message is one line that names the file (and row, column or key where known) and what was
    expected. Shells print it without a traceback and exit with code 2.
    """
