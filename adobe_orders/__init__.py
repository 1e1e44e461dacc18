"""adobe-orders: change the externalReferenceId of Adobe VIP Marketplace orders from Jupyter.

Names are loaded on first use, so ``import adobe_orders`` stays cheap: ipywidgets, the emulator
and SQLite are imported only by the code that needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Settings": "config",
    "OrdersClient": "client",
    "connect": "connection",
    "Order": "models",
    "LineItem": "models",
    "Sandbox": "sandbox",
    "read_updates": "batch",
    "validate_updates": "batch",
    "apply_updates": "batch",
    "retry_failed": "batch",
    "line_items": "batch",
    "orders": "batch",
    "resume": "batch",
    "undo": "batch",
    "history": "batch",
    "report": "batch",
    "UpdateOrderForm": "widgets",
    "BatchUpdatePanel": "widgets",
    "OrderBrowser": "widgets",
    "show": "widgets.grid",
    "fetch_orders": "discovery",
    "match_updates": "discovery",
    "match_problems": "discovery",
    "read_source": "discovery",
    "AdobeOrdersError": "errors",
    "ApiError": "errors",
    "ValidationError": "errors",
    "TransportError": "errors",
    "ConfigurationError": "errors",
    "AuthenticationError": "errors",
    "CredentialsRefused": "errors",
    "write_table": "export",
    "ColumnError": "errors",
    "InputFileError": "errors",
    "ConfirmationRequired": "errors",
    "BatchMismatch": "errors",
    "ApiMismatch": "errors",
    "BatchBusy": "errors",
    "JournalError": "errors",
    "UsageError": "errors",
    "RowStatus": "batch",
    "RESULT_COLUMNS": "batch",
}

__all__ = [
    "RESULT_COLUMNS", "AdobeOrdersError", "ApiError", "ApiMismatch", "AuthenticationError", "BatchBusy",
    "BatchMismatch", "BatchUpdatePanel", "ColumnError", "ConfigurationError", "ConfirmationRequired",
    "CredentialsRefused", "InputFileError", "JournalError", "LineItem", "Order", "OrderBrowser", "OrdersClient",
    "RowStatus", "Sandbox", "Settings", "TransportError", "UpdateOrderForm", "UsageError", "ValidationError",
    "apply_updates", "connect", "fetch_orders", "history", "line_items", "match_problems", "match_updates", "orders",
    "read_source", "read_updates", "report", "resume", "retry_failed", "show", "undo", "validate_updates",
    "write_table",
]

if TYPE_CHECKING:
    from .batch import (
        RESULT_COLUMNS,
        RowStatus,
        apply_updates,
        history,
        line_items,
        orders,
        read_updates,
        report,
        resume,
        retry_failed,
        undo,
        validate_updates,
    )
    from .client import OrdersClient
    from .config import Settings
    from .connection import connect
    from .discovery import fetch_orders, match_problems, match_updates, read_source
    from .errors import (
        AdobeOrdersError,
        ApiError,
        ApiMismatch,
        AuthenticationError,
        BatchBusy,
        BatchMismatch,
        ColumnError,
        ConfigurationError,
        ConfirmationRequired,
        CredentialsRefused,
        InputFileError,
        JournalError,
        TransportError,
        UsageError,
        ValidationError,
    )
    from .export import write_table
    from .models import LineItem, Order
    from .sandbox import Sandbox
    from .widgets import BatchUpdatePanel, OrderBrowser, UpdateOrderForm
    from .widgets.grid import show


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'adobe_orders' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
