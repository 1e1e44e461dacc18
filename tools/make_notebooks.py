"""Write the example notebooks (without outputs). Run: python tools/make_notebooks.py"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent.parent / "notebooks"


def save(name: str, cells: list) -> None:
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.write(nb, HERE / name)


save("01_update_one_order.ipynb", [
    new_markdown_cell(
        "# Update one order's external reference\n\n"
        "This notebook changes the `externalReferenceId` (your PO or order number) of one Adobe VIP Marketplace "
        "order.\n\n"
        "**Where does it go?** With no `.env` file next to this notebook, everything talks to the *local "
        "emulator* built into `adobe-orders`: a stand-in for Adobe's API with demo orders, so nothing you do here "
        "reaches Adobe. To work on real orders, put `ADOBE_VIPM_ENV=sandbox` (or `production`) and your "
        "credentials in `.env` (see `.env.example`). The banner on every form says which API it talks to."),
    new_code_cell("from adobe_orders import UpdateOrderForm, connect\n\n"
                  "client = connect()\nclient"),
    new_markdown_cell(
        "## The form\n\n"
        "Type a customer ID and an order ID exactly as Adobe shows them (leading zeros count), and the new "
        "reference (at most 35 characters). **Update** stays disabled, and says why, until the input is valid. "
        "*Fetch order* shows the order as it is now.\n\n"
        "Try the demo order: customer `0001000000`, order `0123456000`.\n\n"
        "Every update made here is written to the journal (`.adobe-orders/journal.sqlite` in this folder), "
        "so it can be found and undone later (`adobe_orders.history()`, `adobe_orders.undo(batch_id)`)."),
    new_code_cell("form = UpdateOrderForm(client)\nform"),
    new_markdown_cell(
        "## The same thing in two lines of Python\n\n"
        "`update_order` returns the order as Adobe sent it back; it renders as a table with its line items."),
    new_code_cell('order = client.update_order("0001000000", "0123456000", "PO-2026-0001")\norder'),
    new_markdown_cell("Its line items as a DataFrame, ready for `.to_excel()`:"),
    new_code_cell("order.line_items_frame()"),
    new_markdown_cell(
        "`client.update_order` is the raw call. To have the change journaled (and undoable), use "
        "`adobe_orders.apply_updates` with a one-row DataFrame, the form above, or the command line "
        "`adobe-orders update CUSTOMER ORDER VALUE` — see `02_bulk_update.ipynb`."),
])

save("02_bulk_update.ipynb", [
    new_markdown_cell(
        "# Update many orders from a spreadsheet\n\n"
        "The usual job: a CSV or Excel file with one row per order — `customerId`, `orderId`, "
        "`externalReferenceId` — applied in one go, with a results table you can hand to finance.\n\n"
        "Steps: **read → validate → dry run → apply → look at line items → retry failures → undo → "
        "history**. Without a `.env`, all of it runs against the built-in local emulator."),
    new_code_cell("import adobe_orders as ao\n\nclient = ao.connect()\nclient"),
    new_markdown_cell(
        "## 1. Read the file\n\nEvery cell is read as text: `0001000000` keeps its zeros and `NA` stays `NA`. "
        "Headers such as `Customer ID` or `customer_id` are recognised (and kept as you typed them). Each row is "
        "labelled with its spreadsheet line, so every message says `line 7` where Excel shows row 7. The demo "
        "file holds a few deliberately broken rows (see the `note` column)."),
    new_code_cell('updates = ao.read_updates("../examples/updates.csv")\nupdates'),
    new_markdown_cell(
        "## 2. Validate — nothing is sent\n\nYour columns come back unchanged, followed by the result columns "
        "(the README lists them). Each bad row gets one plain-words `reason`. Rows marked `invalid` are never "
        "sent; exact repeats are `duplicate` (only the first is sent); a row with no new value is `skipped` "
        "(\"no new value given\"): filling only some rows is normal."),
    new_markdown_cell("`ao.show` draws any of these frames as a data grid: sortable, searchable, blank where a "
                      "value is missing and with every reason whole."),
    new_code_cell('checked = ao.validate_updates(updates)\nao.show(checked[checked["status"] != "ready"])'),
    new_markdown_cell(
        "## 3. Dry run\n\nReads every order and shows what *would* change (previous → new). "
        "No change is sent."),
    new_code_cell('dry = ao.apply_updates(updates, client, dry_run=True)\n'
                  'ao.show(dry, columns=["customerId", "orderId", "status", "previous_value", "target_value", '
                  '"reason"])'),
    new_markdown_cell(
        "## 4. Apply\n\nEach order is read first (so the journal knows the old value), left `unchanged` "
        "(nothing sent) if it already holds the new one, then changed. One failing order never stops the "
        "batch. Results come back in the same order as the input."),
    new_code_cell('results = ao.apply_updates(updates, client)\nao.report(results)'),
    new_code_cell('ao.show(results, columns=["customerId", "orderId", "status", "previous_value", "current_value", '
                  '"reason"])'),
    new_markdown_cell("The results table is the export — IDs stay text in CSV and Excel:"),
    new_code_cell('results.to_csv("results.csv", index=False)\n'
                  'ao.read_updates("results.csv")[["customerId", "orderId", "current_value", "batch_row"]].head()'),
    new_markdown_cell("## 5. What Adobe returned: one row per line item"),
    new_code_cell("ao.line_items(results).head(10)"),
    new_markdown_cell(
        "## 6. Retry the failures\n\n`retry_failed` re-runs only the `failed` rows, as a new batch that is a "
        "child of this one. Rows are found in the journal by `batch_id` and `batch_row`, so a filtered or "
        "re-read results table works too. The demo's unknown order fails again — a 404 is not temporary — "
        "while a timeout or a 5xx would now go through."),
    new_code_cell('retried = ao.retry_failed(results, client)\n'
                  'ao.show(retried[retried["status"] == "failed"], columns=["orderId", "reason"])'),
    new_markdown_cell(
        "## 7. Undo\n\nRestores every order this batch *and its retries* may have changed to the value it held "
        "before, as a journaled batch of its own. An order someone changed since is reported, not overwritten; "
        "orders that had no reference before are reported too: Adobe documents no way to clear the field."),
    new_code_cell('batch_id = results.attrs["batch_id"]\nundone = ao.undo(batch_id, client)\n'
                  'undone["status"].value_counts()'),
    new_markdown_cell("## 8. History\n\nEvery journaled change, with the value before and the value set; "
                      "`parent_batch` shows the lineage (a retry names its batch, an undo the batch it undid). "
                      "It needs no credentials."),
    new_code_cell('journal = ao.history()\n'
                  'columns = ["batch_id", "kind", "parent_batch", "row", "order_id", "previous_value", "target_value", '
                  '"status"]\nao.show(journal.tail(10), columns=columns)'),
    new_markdown_cell(
        "## The same, with buttons\n\nUpload a file (or pass a DataFrame), check the preview, run a dry run, "
        "then apply. The batch runs in the background with a progress bar and a Cancel button; Retry failed, "
        "Undo and a download of the results follow."),
    new_code_cell("ao.BatchUpdatePanel(client, updates)"),
])
save("03_find_and_tag.ipynb", [
    new_markdown_cell(
        "# Find this month's orders without a PO, match them to the ERP, tag them\n\n"
        "Adobe creates auto-renewal orders on each customer's anniversary (`RENEWAL`, `source: System`), "
        "and you only learn of them from Adobe's order history. This notebook does the monthly job: "
        "**find** the orders that have no `externalReferenceId` yet, **match** them to the PO list "
        "exported from your ERP, then **dry run → apply → undo** like any batch.\n\n"
        "Without a `.env`, all of it runs against the built-in local emulator (demo customers with "
        "six years of orders)."),
    new_code_cell("import pandas as pd\n\nimport adobe_orders as ao\n\n"
                  "client = ao.connect()\nclient"),
    new_markdown_cell(
        "## 1. Find: every order of these customers\n\n"
        "`fetch_orders` reads each customer's order history page by page (all of it: Adobe's own default "
        "would stop at the start of the current term). One row per order; a customer that cannot be read "
        "is listed in `attrs[\"failed_customers\"]` and never stops the others."),
    new_code_cell('customers = ["0001000000", "9876500131", "0001071271", "9876500524"]\n'
                  "orders = ao.fetch_orders(customers, client)\n"
                  'print(len(orders), "orders;", "failed:", orders.attrs["failed_customers"] or "none")\n'
                  'ao.show(orders, columns=["customerId", "orderId", "creation_date", "order_type", "status_name",\n'
                  '                         "external_reference_id", "line_count"])'),
    new_markdown_cell("The renewals that still have no reference — the ones to tag:"),
    new_code_cell('todo = orders[(orders["order_type"] == "RENEWAL") & orders["external_reference_id"].isna()]\n'
                  'ao.show(todo, columns=["customerId", "orderId", "creation_date", "status_name",\n'
                  '                       "subscription_ids"])'),
    new_markdown_cell(
        "## 2. Match: the ERP's PO list\n\n"
        "`read_source` reads the export as text (IDs keep their zeros) and labels rows by their line in "
        "the file. `match_updates` joins on the keys you name — here the customer, the subscription and the "
        "invoice date within 3 days of the order — and **never guesses**: a row matching nothing or several "
        "orders, two rows giving one order different POs, and an order that already holds another reference "
        "are reported with the reason, and left out of the updates."),
    new_code_cell('erp = ao.read_source("../examples/erp_export.csv")\nerp'),
    new_code_cell('updates = ao.match_updates(\n'
                  '    orders, erp,\n'
                  '    on={"customerId": "Customer", "subscriptionId": "Subscription",\n'
                  '        "creationDate": "Invoice date"},\n'
                  '    value="PO Number", window=pd.Timedelta(days=3))\n'
                  'ao.show(updates)'),
    new_code_cell("ao.show(ao.match_problems(updates))"),
    new_markdown_cell("## 3. Dry run, then apply\n\nThe updates frame goes to `apply_updates` like any other: "
                      "journaled, one results row per update."),
    new_code_cell('dry = ao.apply_updates(updates, client, dry_run=True)\ndry["status"].value_counts()'),
    new_code_cell('results = ao.apply_updates(updates, client)\nao.report(results)'),
    new_markdown_cell(
        "### Or: a spreadsheet filled in by hand\n\n"
        "From a terminal, `adobe-orders orders … --missing-reference --out todo.xlsx` writes the orders to tag, "
        "their ID and reference columns formatted as Text (so `4500012345` typed in Excel stays text). "
        "Fill in only the POs you have: a row left blank is `skipped` with \"no new value given\", nothing is "
        "sent for it, and `apply` still ends with exit code 0. The same file as a frame:"),
    new_code_cell('left = todo[~todo["orderId"].isin(updates["orderId"])]                # still without a PO\n'
                  'sheet = left[["customerId", "orderId"]].assign(externalReferenceId="")  # what the export holds\n'
                  'sheet.iloc[0, 2] = "4500099999"                                          # one PO typed in\n'
                  'partly = ao.apply_updates(sheet, client, dry_run=True)\n'
                  'ao.show(partly, columns=["customerId", "orderId", "status", "target_value", "reason"])'),
    new_markdown_cell("What Adobe returned, one row per line item — with Adobe's pricing when asked for "
                      "(`fetch_price=True`):"),
    new_code_cell('priced = ao.fetch_orders(customers[:1], client, order_type="RENEWAL", fetch_price=True)\n'
                  'ao.show(ao.line_items(priced))'),
    new_markdown_cell(
        "## 4. Undo\n\nUndo puts back the reference each order held before this batch. These renewals held "
        "*no* reference before, and Adobe offers no way to clear a reference, so undo cannot take them back: "
        "it sends nothing, and each order is `skipped`, with that reason. `adobe-orders apply` says the same at "
        "the end of its run (and prints no `Undo with` command), and so does the batch panel (its Undo stays off). "
        "To correct such an order, set the right value. (An order that held another value gets it back, as in "
        "`02_bulk_update.ipynb`.)"),
    new_code_cell('undone = ao.undo(results, client)\n'
                  'ao.show(undone, columns=["customerId", "orderId", "status", "current_value", "reason"])'),
    new_markdown_cell(
        "## The same, with buttons\n\n"
        "Paste customer IDs, choose filters (type, status, dates, *missing reference only*) and **Find "
        "orders**. Click a column to sort. Select one order and **Open in form** to tag it alone; select "
        "several, type a reference, and **Send to batch panel** for a dry run and apply."),
    new_code_cell("ao.OrderBrowser(client, customers=customers)"),
])
print("written", sorted(p.name for p in HERE.glob("*.ipynb")))
