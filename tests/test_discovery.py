"""fetch_orders and match_updates against the emulator: typed frames, failing customers, every ambiguity."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import requests

from adobe_orders import apply_updates, fetch_orders, line_items, match_problems, match_updates
from adobe_orders.models import Order
from adobe_orders.sandbox import Sandbox

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BIG, SMALL, OTHER = "9876500262", "0001000000", "9876500131"


@pytest.fixture
def sb():
    with Sandbox(now=NOW) as box:
        yield box


def test_fetch_orders_is_typed_complete_and_reports_a_failing_customer(sb) -> None:
    with sb.client() as client:
        frame = fetch_orders([BIG, "NOPE1", SMALL, f" {SMALL} "], client, progress=False, workers=3)
    expected = [o for c in (BIG, SMALL) for o in sorted((o for o in sb.orders if o["customerId"] == c),
                                                         key=lambda o: (o["creationDate"], o["orderId"]),
                                                         reverse=True)]
    assert list(frame["orderId"]) == [o["orderId"] for o in expected] and len(frame) > 250
    assert frame.attrs["failed_customers"] == {"NOPE1": "HTTP 404 1116: Invalid Customer"}
    assert frame.attrs["customers"] == [BIG, "NOPE1", SMALL]
    assert str(frame["creation_date"].dtype) == "datetime64[us, UTC]" or "UTC" in str(frame["creation_date"].dtype)
    assert isinstance(frame["order_type"].dtype, pd.CategoricalDtype) and "RENEWAL" in set(frame["order_type"])
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert str(frame["line_count"].dtype) == "Int64" and str(frame["customerId"].dtype) == "string"
    first = expected[0]
    row = frame.iloc[0]
    assert row["line_count"] == len(first["lineItems"]) and row["currency"] == first["currencyCode"]
    assert (row["external_reference_id"] if pd.notna(row["external_reference_id"]) else "") == \
        first["externalReferenceId"]
    assert frame["total_price"].isna().all()  # not priced unless asked
    returns = frame[frame["order_type"] == "RETURN"]
    assert returns["reference_order_id"].notna().all() and len(returns) > 0
    assert len(line_items(frame)) == sum(len(o["lineItems"]) for o in expected)


def test_fetch_orders_filters_missing_reference_and_prices(sb) -> None:
    with sb.client() as client:
        todo = fetch_orders([BIG, OTHER], client, order_type="RENEWAL", missing_reference=True, progress=False)
        priced = fetch_orders([BIG], client, status="1000", start_date=date(2026, 1, 1), fetch_price=True,
                              progress=False)
        until = fetch_orders([BIG], client, start_date="2025-03-01", end_date="2025-03-31", progress=False)
    stored = [o for o in sb.orders if o["customerId"] in (BIG, OTHER) and o["orderType"] == "RENEWAL"
              and not o["externalReferenceId"]]
    assert sorted(todo["orderId"]) == sorted(o["orderId"] for o in stored) and len(todo) > 0
    assert todo["external_reference_id"].isna().all()
    assert priced["total_price"].notna().any()
    assert (priced["creation_date"] >= pd.Timestamp("2026-01-01", tz="UTC")).all()
    single = priced[priced["total_price"].notna()]
    assert (single["price_currency"] == single["currency"]).all()
    march = [o["orderId"] for o in sb.orders if o["customerId"] == BIG and "2025-03" in o["creationDate"][:7]]
    assert sorted(until["orderId"]) == sorted(march) and march  # an end date includes that whole day


def test_fetch_orders_refuses_bad_input_before_sending(sb) -> None:
    sb.clear_log()
    with sb.client() as client:
        for customers in (["../x"], [], ["1.23457E+09"]):
            with pytest.raises(ValueError):
                fetch_orders(customers, client, progress=False)
        with pytest.raises(ValueError):
            fetch_orders([BIG], client, workers=0, progress=False)
    assert not [e for e in sb.requests if e["path"].startswith("/v3/")]


def test_fetch_orders_keeps_going_when_the_api_fails_for_one(sb) -> None:
    with sb.client(max_retries=0) as client:
        sb.faults.set_rates({"error_500": 1.0})
        frame = fetch_orders([SMALL, OTHER], client, progress=False)
    assert frame.empty and set(frame.attrs["failed_customers"]) == {SMALL, OTHER}
    assert all("500" in reason for reason in frame.attrs["failed_customers"].values())


# -- match_updates --------------------------------------------------------------------------------

def orders_frame(sb, customers=(SMALL, OTHER)) -> pd.DataFrame:
    with sb.client() as client:
        return fetch_orders(list(customers), client, progress=False)


def test_match_on_subscription_and_date_window_then_apply(sb) -> None:
    frame = orders_frame(sb)
    blank = frame[frame["external_reference_id"].isna() & frame["subscription_ids"].notna()
                  & (frame["order_type"] == "RENEWAL")].iloc[0]
    sub = blank["subscription_ids"].split(", ")[0]
    day = (blank["creation_date"] + pd.Timedelta(days=2)).strftime("%Y-%m-%d")
    source = pd.DataFrame({"Customer": [blank["customerId"]], "Subscription": [sub], "Invoice date": [day],
                           "PO": ["ERP-0001"]}, dtype=str)
    updates = match_updates(frame, source, on={"customerId": "Customer", "subscriptionId": "Subscription",
                                               "creationDate": "Invoice date"}, value="PO", window=timedelta(days=3))
    assert list(updates[["customerId", "orderId", "externalReferenceId"]].iloc[0]) == [
        blank["customerId"], blank["orderId"], "ERP-0001"]
    assert match_problems(updates).empty
    with sb.client() as client:
        results = apply_updates(updates, client, progress=False)
    assert list(results["status"]) == ["updated"]
    assert sb.order(blank["customerId"], blank["orderId"])["externalReferenceId"] == "ERP-0001"


def test_every_ambiguity_is_reported_and_kept_out(sb) -> None:
    frame = orders_frame(sb)
    small = frame[frame["customerId"] == SMALL]
    tagged = small[small["external_reference_id"].notna()].iloc[0]
    untagged = small[small["external_reference_id"].isna()]
    a, b = untagged.iloc[0], untagged.iloc[1]
    source = pd.DataFrame([
        {"customerId": SMALL, "orderId": a["orderId"], "PO": "X-1"},          # several_rows (with next)
        {"customerId": SMALL, "orderId": a["orderId"], "PO": "X-2"},          # several_rows
        {"customerId": SMALL, "orderId": b["orderId"], "PO": "Y-1"},          # matched
        {"customerId": SMALL, "orderId": b["orderId"], "PO": "Y-1"},          # repeat: used once
        {"customerId": SMALL, "orderId": "0999999999", "PO": "Z-1"},          # no_match
        {"customerId": SMALL, "orderId": tagged["orderId"], "PO": "W-1"},     # different_reference
        {"customerId": SMALL, "orderId": b["orderId"], "PO": ""},  # no_value
        {"customerId": "", "orderId": b["orderId"], "PO": "V-1"},            # no_key
    ], dtype=str)
    updates = match_updates(frame, source, on=["customerId", "orderId"], value="PO")
    assert list(updates["orderId"]) == [b["orderId"]] and list(updates["externalReferenceId"]) == ["Y-1"]
    problems = match_problems(updates)
    kinds = dict(zip(problems["source_row"], problems["problem"], strict=True))
    assert kinds == {"row 0": "several_rows", "row 1": "several_rows", "row 3": "repeat", "row 4": "no_match",
                     "row 5": "different_reference", "row 6": "no_value", "row 7": "no_key"}
    reasons = dict(zip(problems["source_row"], problems["reason"], strict=True))
    assert "'X-1'" in reasons["row 0"] and "'X-2'" in reasons["row 0"]
    assert repr(tagged["external_reference_id"]) in reasons["row 5"] and "not overwritten" in reasons["row 5"]


def test_a_row_matching_several_orders_is_not_guessed(sb) -> None:
    frame = orders_frame(sb, (BIG,))
    source = pd.DataFrame({"customerId": [BIG], "order type": ["RENEWAL"], "PO": ["R-1"]}, dtype=str)
    updates = match_updates(frame, source, on={"customerId": "customerId", "orderType": "order type"}, value="PO")
    problems = match_problems(updates)
    assert updates.empty and list(problems["problem"]) == ["several_orders"]
    assert "matches" in problems["reason"][0] and "add a key" in problems["reason"][0]


def test_already_set_and_numeric_ids_and_unknown_columns(sb) -> None:
    frame = orders_frame(sb)
    tagged = frame[frame["external_reference_id"].notna()].iloc[0]
    same = pd.DataFrame({"customerId": [tagged["customerId"]], "orderId": [tagged["orderId"]],
                         "PO": [tagged["external_reference_id"]]}, dtype=str)
    updates = match_updates(frame, same, on=["customerId", "orderId"], value="PO")
    assert updates.empty and list(match_problems(updates)["problem"]) == ["already_set"]
    numeric = pd.DataFrame({"customerId": [1000000], "orderId": ["0123456000"], "PO": ["A"]})
    with pytest.raises(TypeError, match="leading zeros"):
        match_updates(frame, numeric, on=["customerId", "orderId"], value="PO")
    with pytest.raises(KeyError, match="Columns"):
        match_updates(frame, same, on=["customerId", "PO number"], value="PO")
    with pytest.raises(KeyError):
        match_updates(frame, same, on=["customerId"], value="missing")


def test_fetch_orders_progress_counts_customers(sb, monkeypatch) -> None:
    from adobe_orders.discovery import fetching

    seen: list[int] = []

    class Bar:
        def update(self, n: int) -> None:
            seen.append(n)

        def close(self) -> None:
            seen.append(-1)

    monkeypatch.setattr(fetching, "_bar", lambda total, progress: Bar() if progress else None)
    with sb.client() as client:
        fetch_orders([SMALL, OTHER, BIG], client)
        fetch_orders([SMALL], client, progress=False)
    assert seen == [1, 1, 1, -1]


def test_ambiguous_dates_are_not_guessed_and_real_date_cells_match(sb) -> None:
    frame = orders_frame(sb, (SMALL,))
    first = frame.iloc[-1]
    day = first["creation_date"]
    source = pd.DataFrame({"customerId": [SMALL, SMALL, SMALL],
                           "Date": [day.strftime("%m/%d/%Y"), day.strftime("%Y-%m-%d"), day.to_pydatetime()],
                           "PO": ["A-1", "A-2", "A-3"]}, dtype=object)
    updates = match_updates(frame, source, on={"customerId": "customerId", "creationDate": "Date"}, value="PO")
    problems = match_problems(updates)
    assert problems["problem"].iloc[0] == "bad_date" and "not guessed" in problems["reason"].iloc[0]
    # rows 1 and 2 (ISO text and a real date cell) both find the order: two values for one order
    assert set(problems["problem"][1:]) == {"several_rows"} and updates.empty


def test_thousands_of_rows_each_ambiguity_reported(sb) -> None:
    frame = orders_frame(sb, (BIG, SMALL, OTHER))
    big = pd.concat([frame] * 10, ignore_index=True)  # 5,000+ orders (repeats: every hit is ambiguous)
    source = pd.DataFrame({"customerId": big["customerId"].astype(str), "orderId": big["orderId"].astype(str),
                           "PO": [f"P-{i}" for i in range(len(big))]}, dtype=str)
    updates = match_updates(big, source, on=["customerId", "orderId"], value="PO")
    problems = match_problems(updates)
    assert updates.empty and len(problems) == len(source) and set(problems["problem"]) == {"several_orders"}


def _model_row(order: Order) -> dict[str, object]:
    """What a fetch_orders row held when it was built through the Order model: the reference the
    rows now read straight from the page's JSON must equal."""
    quantities = [li.quantity for li in order.line_items if type(li.quantity) is int]  # true is no seat
    summary = order.extra.get("pricingSummary")
    total = currency = None
    if isinstance(summary, list) and len(summary) == 1 and isinstance(summary[0], dict):
        total, currency = summary[0].get("totalLineItemPartnerPrice"), summary[0].get("currencyCode")
    return {"customerId": order.customer_id, "orderId": order.order_id, "order_type": order.order_type,
            "status": order.status, "status_name": order.status_name or None, "source": order.source,
            "external_reference_id": order.external_reference_id or None,
            "reference_order_id": order.reference_order_id or None, "currency": order.currency_code,
            "line_count": len(order.line_items), "total_quantity": sum(quantities) if quantities else None,
            "offer_ids": ", ".join(li.offer_id for li in order.line_items if li.offer_id) or None,
            "subscription_ids": ", ".join(li.subscription_id for li in order.line_items if li.subscription_id) or None,
            "total_price": total if type(total) in (int, float) else None, "price_currency": currency}


def _cell(value: object) -> object:
    return None if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else value


def test_rows_read_from_the_page_json_are_what_the_order_model_reads(sb) -> None:
    """fetch_orders builds rows from the page's JSON without parsing each order into a model: field
    for field they must be what the model reads, also for answers in odd shapes (numbers where
    Adobe sends text, a line item that is not an object, fields missing), and ``order_json`` must
    be the order as the emulator sent it."""
    odd = [
        {"orderId": "910000000001", "customerId": "0007700000", "creationDate": "2026-11-02T10:00:00Z",
         "status": 1000, "orderType": "NEW", "externalReferenceId": None, "currencyCode": "USD",
         "lineItems": [{"offerId": 65304522, "quantity": 3, "subscriptionId": 77},
                       "not an object", {"quantity": "7", "offerId": ""}]},
        {"orderId": "910000000002", "customerId": "0007700000", "creationDate": "2026-11-01T10:00:00Z",
         "status": "1999", "orderType": "BRANDNEW", "externalReferenceId": "  ", "source": "API"},
    ]
    sb.state.add_orders(odd)
    with sb.client() as client:
        plain = fetch_orders([BIG, "0007700000"], client, progress=False)
        priced = fetch_orders([BIG], client, fetch_price=True, start_date="2026-01-01", progress=False)
    for frame in (plain, priced):
        assert len(frame) > 2
        for _, row in frame.iterrows():
            sent = json.loads(row["order_json"])
            assert {c: _cell(row[c]) for c in _model_row(Order.from_api(sent))} == _model_row(Order.from_api(sent))
    stored = {o["orderId"]: o for o in sb.orders}
    for _, row in plain.iterrows():
        sent = json.loads(row["order_json"])
        assert {k: v for k, v in sent.items() if k != "links"} == stored[sent["orderId"]]
    # Each order exactly as the emulator's page holds it (links included), as compact JSON.
    token = requests.post(f"{sb.url}/ims/token/v3", timeout=5, data={
        "grant_type": "client_credentials", "client_id": sb.client_id, "client_secret": sb.client_secret})
    page = requests.get(f"{sb.url}/v3/customers/0007700000/orders?start-date=2010-01-01", timeout=10, headers={
        "X-Api-Key": sb.client_id, "Authorization": f"Bearer {token.json()['access_token']}",
        "X-Request-Id": "r-verbatim", "X-Correlation-Id": "c-verbatim", "Accept": "application/json"})
    sent_items = {o["orderId"]: o for o in page.json()["items"]}
    texts = plain[plain["customerId"] == "0007700000"]["order_json"]
    assert len(texts) == len(sent_items) == 2
    assert all(json.loads(text) == sent_items[json.loads(text)["orderId"]] for text in texts)
    numeric = plain[plain["orderId"] == "910000000001"].iloc[0]
    assert numeric["status"] == "1000" and numeric["status_name"] == "complete" and numeric["line_count"] == 2
    assert numeric["offer_ids"] == "65304522" and numeric["subscription_ids"] == "77"
    assert numeric["total_quantity"] == 3  # "7" is not a number of seats: not summed, as the model does
    unknown = plain[plain["orderId"] == "910000000002"].iloc[0]
    assert unknown["order_type"] == "BRANDNEW" and unknown["status"] == "1999" and unknown["line_count"] == 0
    todo = fetch_orders(["0007700000"], sb.client(), missing_reference=True, progress=False)
    assert set(todo["orderId"]) == {"910000000001", "910000000002"}  # blank and spaces are both missing


def test_an_order_with_odd_numbers_or_line_items_is_one_row_not_a_crash(sb) -> None:
    """One odd order must not cost the analyst every customer's rows: ``lineItems`` that is a number
    or ``true`` (not iterable: a TypeError for the whole fetch, and for ``get_order``), a quantity or
    price beyond what Int64/Float64 hold (an OverflowError after every page was read), and ``true``
    as a quantity or price (summed as 1 seat / priced 1.0)."""
    base = {"customerId": "0007800000", "creationDate": "2026-11-02T10:00:00Z", "status": "1000",
            "orderType": "NEW", "currencyCode": "USD"}
    odd = {
        "920000000001": {"lineItems": 5},
        "920000000002": {"lineItems": True},
        "920000000003": {"lineItems": 1.5},
        "920000000004": {"lineItems": [{"offerId": "A", "quantity": 10**30}],
                         "pricingSummary": [{"totalLineItemPartnerPrice": 10**400, "currencyCode": "USD"}]},
        "920000000005": {"lineItems": [{"offerId": "B", "quantity": True}, {"offerId": "C", "quantity": 2}],
                         "pricingSummary": [{"totalLineItemPartnerPrice": True, "currencyCode": "USD"}]},
    }
    sb.state.add_orders([{**base, "orderId": order_id, **fields} for order_id, fields in odd.items()])
    with sb.client() as client:
        frame = fetch_orders(["0007800000", SMALL], client, start_date="2010-01-01", progress=False)
        rows = frame.set_index("orderId")
        assert set(odd) <= set(rows.index) and (frame["customerId"] == SMALL).sum() > 0
        for order_id in ("920000000001", "920000000002", "920000000003"):
            assert rows.loc[order_id, "line_count"] == 0 and client.get_order("0007800000", order_id).line_items == ()
        assert rows.loc["920000000004", "line_count"] == 1 and pd.isna(rows.loc["920000000004", "total_quantity"])
        assert pd.isna(rows.loc["920000000004", "total_price"])
        assert rows.loc["920000000005", "total_quantity"] == 2 and pd.isna(rows.loc["920000000005", "total_price"])
    for _, row in frame[frame["orderId"] != "920000000004"].iterrows():
        model = _model_row(Order.from_api(json.loads(row["order_json"])))
        assert {c: _cell(row[c]) for c in model} == model
    assert len(line_items(frame[frame["customerId"] == "0007800000"])) == 3


# -- matching never tags the wrong order ---------------------------------------------------------------

def test_numeric_and_date_pos_are_refused_on_their_row(sb, tmp_path) -> None:
    """An ERP export whose PO column is Number type (xlsx), or a CSV read without dtype=str: the PO arrives
    as a number (leading zeros gone, 1.2E+17 rounded). read_updates refuses exactly this; so does matching."""
    import openpyxl

    from adobe_orders import read_source

    frame = orders_frame(sb, (SMALL,))
    blank = frame[frame["external_reference_id"].isna()]["orderId"].tolist()
    assert len(blank) >= 5
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["customerId", "orderId", "PO"])
    for order, po in zip(blank, [4500012345, 0.1 + 122.9, datetime(2026, 3, 1), "PO-TEXT-1", "2026-03-01 00:00:00"],
                         strict=False):
        sheet.append([SMALL, order, po])
    sheet.cell(2, 1).number_format = sheet.cell(2, 2).number_format = "@"
    book.save(tmp_path / "erp.xlsx")
    updates = match_updates(frame, read_source(tmp_path / "erp.xlsx"), on=["customerId", "orderId"], value="PO")
    problems = match_problems(updates).set_index("source_row")
    assert list(updates["externalReferenceId"]) == ["PO-TEXT-1"]
    assert {k: problems.loc[f"line {k}", "problem"] for k in (2, 3, 4, 6)} == dict.fromkeys((2, 3, 4, 6), "bad_value")
    assert "PO 4500012345 arrived as a number" in problems.loc["line 2", "reason"]
    assert "date cell" in problems.loc["line 4", "reason"] and "looks like a date" in problems.loc["line 6", "reason"]
    # a CSV read by pandas without dtype=str (the ID columns as text, the PO column as pandas guessed it)
    (tmp_path / "erp.csv").write_text("customerId,orderId,PO\n" + "".join(
        f"{SMALL},{o},{po}\n" for o, po in zip(blank, ["0045000123", "1.2E+17", "123.0"], strict=False)))
    guessed = pd.read_csv(tmp_path / "erp.csv", dtype={"customerId": str, "orderId": str})
    assert pd.api.types.is_numeric_dtype(guessed["PO"])
    updates = match_updates(frame, guessed, on=["customerId", "orderId"], value="PO")
    problems = match_problems(updates)
    assert updates.empty and list(problems["problem"]) == ["bad_value"] * 3
    assert all("arrived as a number" in r and "dtype=str" in r for r in problems["reason"])
    # read as text, the spreadsheet's damage is still named
    as_text = pd.read_csv(tmp_path / "erp.csv", dtype=str)
    problems = match_problems(match_updates(frame, as_text, on=["customerId", "orderId"], value="PO"))
    assert list(problems["problem"]) == ["bad_value", "bad_value"] and "Excel reformatted" in problems["reason"][0]


def _renewal_and_its_past(frame: pd.DataFrame) -> tuple[str, pd.Series, pd.DataFrame]:
    """A subscription with one order left to tag and earlier orders holding POs."""
    rows = frame.assign(sub=frame["subscription_ids"].str.split(", ")).explode("sub")
    for sub, group in rows.groupby("sub"):
        blank, held = group[group["external_reference_id"].isna()], group[group["external_reference_id"].notna()]
        if len(blank) == 1 and len(held):
            return str(sub), blank.iloc[0], held
    raise AssertionError("no such subscription in the demo data")


def test_a_po_already_on_an_order_hidden_by_the_filter_is_never_matched_to_another(sb) -> None:
    """fetch_orders(..., missing_reference=True) hides the orders holding a PO. An ERP line whose PO is on last
    year's order of the subscription then matched the renewal, the only order left: last year's PO on it."""
    with sb.client() as client:
        full = fetch_orders([SMALL], client, progress=False)
        todo = fetch_orders([SMALL], client, missing_reference=True, progress=False)
        assert full.attrs["filters"] == {} and todo.attrs["filters"] == {"missing_reference": True}
        sub, renewal, held = _renewal_and_its_past(full)
        old_po, old_order = held.iloc[0]["external_reference_id"], held.iloc[0]["orderId"]
        erp = pd.DataFrame({"Customer": [SMALL], "Subscription": [sub], "PO": [old_po]}, dtype=str)
        on = {"customerId": "Customer", "subscriptionId": "Subscription"}
        with pytest.raises(ValueError, match=r"missing_reference=True.*client=.*references="):
            match_updates(todo, erp, on=on, value="PO")  # it cannot see the orders holding POs: says so
        updates = match_updates(todo, erp, on=on, value="PO", client=client)
        with_references = match_updates(todo, erp, on=on, value="PO", references=full)
        fresh = match_updates(todo, erp.assign(PO="PO-NEW-9"), on=on, value="PO", client=client)
        # a frame cut with pandas after fetching hides orders the same way
        cut = full[full["external_reference_id"].isna()]
        with pytest.raises(ValueError, match=r"holds \d+ of the \d+ orders"):
            match_updates(cut, erp, on=on, value="PO")
    for result in (updates, with_references):
        assert result.empty
        (used,) = match_problems(result).itertuples()
        assert used.problem == "po_already_used" and used.orderId == renewal["orderId"]
        assert old_order in used.reason and repr(old_po) in used.reason
    assert list(fresh["orderId"]) == [renewal["orderId"]] and match_problems(fresh).empty  # a new PO still matches


def test_an_orders_frame_read_back_from_a_file_is_not_trusted_to_show_every_order(sb, tmp_path) -> None:
    """``adobe-orders orders … --missing-reference --out todo.csv``, read back in a notebook: the file keeps
    no record of its filter, and the renewal got last year's PO. A frame whose origin is unknown may hide
    orders like a filtered one: references are read (client=) or refused."""
    with sb.client() as client:
        full = fetch_orders([SMALL], client, progress=False)
        sub, renewal, held = _renewal_and_its_past(full)
        old_po = held.iloc[0]["external_reference_id"]
        fetch_orders([SMALL], client, missing_reference=True, progress=False).to_csv(tmp_path / "todo.csv",
                                                                                    index=False)
        todo = pd.read_csv(tmp_path / "todo.csv", dtype=str)
        erp = pd.DataFrame({"Customer": [SMALL], "Subscription": [sub], "PO": [old_po]}, dtype=str)
        on = {"customerId": "Customer", "subscriptionId": "Subscription"}
        with pytest.raises(ValueError, match=r"client=.*references="):
            match_updates(todo, erp, on=on, value="PO")
        updates = match_updates(todo, erp, on=on, value="PO", client=client)
    assert updates.empty and list(match_problems(updates)["problem"]) == ["po_already_used"]
    assert list(match_problems(updates)["orderId"]) == [renewal["orderId"]]


def test_a_po_held_by_another_order_of_a_full_frame_is_not_set_twice(sb) -> None:
    frame = orders_frame(sb, (SMALL,))
    held = frame[frame["external_reference_id"].notna()].iloc[0]
    blank = frame[frame["external_reference_id"].isna()].iloc[0]
    erp = pd.DataFrame({"customerId": [SMALL], "orderId": [blank["orderId"]], "PO": [held["external_reference_id"]]},
                       dtype=str)
    updates = match_updates(frame, erp, on=["customerId", "orderId"], value="PO")
    problems = match_problems(updates)
    assert updates.empty and list(problems["problem"]) == ["po_already_used"]
    assert held["orderId"] in problems["reason"][0]


def test_one_po_matched_to_two_orders_of_a_customer_sets_it_on_neither(sb) -> None:
    """An ERP export that names one PO on two lines (a copied line, a PO typed twice): each line matches
    its own order, but a PO tags one order, and which one is wrong is not known. Neither is set."""
    frame = orders_frame(sb, (SMALL,))
    blank = frame[frame["external_reference_id"].isna()]
    first, second = blank.iloc[0]["orderId"], blank.iloc[1]["orderId"]
    erp = pd.DataFrame({"customerId": [SMALL] * 3, "orderId": [first, second, blank.iloc[2]["orderId"]],
                        "PO": ["4500099999", "4500099999", "4500088888"]}, dtype=str)
    updates = match_updates(frame, erp, on=["customerId", "orderId"], value="PO")
    assert list(updates["orderId"]) == [blank.iloc[2]["orderId"]]
    problems = match_problems(updates)
    assert sorted(problems["orderId"]) == sorted([first, second])
    assert set(problems["problem"]) == {"po_already_used"}
    for reason, other in zip(problems["reason"], list(problems["orderId"])[::-1], strict=True):
        assert other in reason and "4500099999" in reason


def test_no_match_says_when_the_customer_is_not_in_the_orders_frame(sb) -> None:
    with sb.client() as client:
        frame = fetch_orders(["NOPE1", SMALL], client, progress=False)
        renewals = fetch_orders([OTHER], client, order_type="RETURN", start_date="2026-11-27", progress=False)
        every = fetch_orders([OTHER], client, progress=False)
    assert renewals.empty
    erp = pd.DataFrame({"customerId": [OTHER, "NOPE1", SMALL], "orderId": ["0123", "0456", "0999999999"],
                        "PO": ["P-1", "P-2", "P-3"]}, dtype=str)
    reasons = list(match_problems(match_updates(frame, erp, on=["customerId", "orderId"], value="PO"))["reason"])
    assert reasons[0].endswith(f"customer {OTHER} is not in the orders frame: fetch its orders first")
    assert "customer NOPE1 could not be read (HTTP 404" in reasons[1] and "fetch its orders again" in reasons[1]
    assert reasons[2] == f"no order matches customerId='{SMALL}', orderId='0999999999'"
    again = match_problems(match_updates(renewals, erp.iloc[:1], on=["customerId", "orderId"], value="PO",
                                         references=every))
    assert "has no order in the orders frame with the filters used (order_type=['RETURN']" in again["reason"][0]
