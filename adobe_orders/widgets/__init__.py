"""The notebook layer: a form for one order and a panel for batches."""

from .form import UpdateOrderForm
from .panel import BatchUpdatePanel

__all__ = ["BatchUpdatePanel", "UpdateOrderForm"]
