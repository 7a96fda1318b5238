"""One exception type for every user-facing error: its message is the one line the user sees."""


class EnvgateError(Exception):
    """Bad input or a failed external step; str(exc) names the file/resource and what is wrong."""
