"""The notebook layer: a form for one order, a panel for batches, a browser to find orders."""

from .browser import OrderBrowser
from .form import UpdateOrderForm
from .panel import BatchUpdatePanel

__all__ = ["BatchUpdatePanel", "OrderBrowser", "UpdateOrderForm"]
