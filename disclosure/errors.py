"""The one refusal type users see."""


class ServiceError(ValueError):
    """A refusal the user must see; ``str(err)`` is a Chinese message.
    ``field`` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
