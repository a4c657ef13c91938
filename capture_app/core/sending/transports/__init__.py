"""Ways of sending a bundle; all implement ``base.Transport``."""
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    Progress,
    Receipt,
    TemporaryTransportError,
    Transport,
    TransportError,
    no_progress,
)

__all__ = [
    "PermanentTransportError", "Progress", "Receipt", "TemporaryTransportError", "Transport",
    "TransportError", "no_progress",
]
