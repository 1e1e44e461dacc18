"""Find the orders to tag: order history into DataFrames, and matching against a PO list."""

from .fetching import ORDER_COLUMNS, fetch_orders
from .matching import match_problems, match_updates, read_source

__all__ = ["ORDER_COLUMNS", "fetch_orders", "match_problems", "match_updates", "read_source"]
