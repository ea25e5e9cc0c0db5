"""From order lines to customers: recency, frequency and monetary value (RFM).

Most shops, CRMs and tills export one row per order line (invoice, customer, date, quantity, price),
not one row per customer. :func:`build_customers` turns such a table, read by
:func:`core.io.read_table` (every cell text), into **one row per customer**:

===================== ==========================================================================
column                meaning
===================== ==========================================================================
*customer column*     the customer id exactly as written in the file (never reformatted); the
                      column keeps the file's name when :mod:`core.quality` sees it as an
                      identifier, else it is called ``customer_id`` (a note says so)
``recency_days``      days from the last purchase to the as-of date (default: the day after the
                      last order in the file)
``frequency``         distinct orders (order lines when there is no order column)
``monetary``          total spent, returns and cancellations netted
``average_order_value`` ``monetary / frequency``
``tenure_days``       days from the first purchase to the as-of date

``first_purchase``    date of the first purchase (``YYYY-MM-DD``)
``last_purchase``     date of the last purchase
``r_score`` ...       the classic RFM scores, 1-5 by quintile (5 = best: most recent, most
                      frequent, highest spending); customers with equal values get equal scores
``rfm_score``         the three scores as one number (``545``)
``rfm_group``         the usual named group from the R and F scores (:data:`RFM_GROUPS`)
===================== ==========================================================================

With a window (``window_months``: the last 12 months, say), ``frequency``, ``monetary`` and
``average_order_value`` count only the orders in those months before the as-of date, and are named for it
(``frequency_12m``, ``monetary_12m``, ``average_order_value_12m``; 0 for a customer with no purchase in it):
customer tables built from two exports months apart then measure the same span, so a saved segmentation
applied to the later one shows who moved rather than who kept buying (all-time totals only grow). Recency and
tenure always look at every order; tenure then grows with time for everyone, so the data check does not propose it
(:func:`core.quality.mark_growing`).

The scores, ``rfm_score`` and the purchase dates are *profile* columns: :mod:`core.quality` knows
them by name (:data:`core.quality.PROFILE_COLUMN_NAMES`) and never proposes them as model features.

Real exports are messy; each of these is reported in :attr:`CustomerTable.notes`, never silent:

* **Returns and cancellations** net against purchases: a negative quantity or amount is a return;
  a line whose order number is marked cancelled (``C536379``) counts negative whatever its sign.
  They lower ``monetary`` but are not purchases (no order in ``frequency``, no purchase date).
* **Amounts refunded in part**, in a refund column (``Refunded Amount``, ``Order Refund Amount``: recognised
  by name, never taken for the amount), net against the line's value; the order stays a purchase.
  Orders refunded in full are left out by their status (:data:`NOT_PURCHASES`).
* **Lines without a customer id** are counted and left out, with the share of revenue they hold.
* **Dates** in ISO form or in the usual day/month/year orders with ``/``, ``.`` or ``-``, month
  names, two- or four-digit years, with or without a time; a column mixing formats is read format
  by format; ambiguous day/month orders are resolved from the data and reported.
* **Duplicate lines** (every value repeated) are reported and kept.
* **An order's further items**: Shopify writes an order of several items as a line per item, the date,
  total and status on the first only, the order number (``#1001``, recognised by its values in a column
  called Name) on each. Lines with an order number but neither a date nor an amount, whose order has them on
  another line, count in that order and are said as such, not as lines left out.
* Lines whose date or amount is not readable are counted and left out, with examples.

Bad files raise :class:`core.errors.OrdersError` (or :class:`~core.errors.FeatureError` for a
column that is not there) with a message for the user: no date column, amounts that are all text,
a single customer, dates after today, an as-of date before the last order.

Everything is vectorised (pyarrow and pandas on typed columns; dates are parsed once per distinct
text): 10^7 lines take seconds beyond reading the file (see docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import FeatureError, ModelError, OrdersError
from .quality import ColumnNumbers, first_written, is_id_name, missing_mask, parse_numeric
from .text import counted, join_words, percent
from .transform import (EPOCH_FORMATS, EXCEL_DAYS, WRITTEN_DATES, english_months, excel_days_format, read_dates,
                        unix_time_format,
                        without_utc_offset)

__all__ = [
    "ALL_CURRENCIES",
    "currencies",
    "OrderColumns",
    "CustomerTable",
    "OrderRecipe",
    "OrderRebuild",
    "rebuild_for_model",
    "order_lines_warning",
    "growing_totals_note",
    "RFM_GROUPS",
    "RFM_COLUMNS",
    "recognise_columns",
    "looks_like_orders",
    "build_customers",
    "parse_dates",
    "net_return_rows",
    "net_returns_apart",
    "net_returns_text",
    "net_returns_left_out",
    "last_order",
    "group_crosstab",
    "GROUP_COLUMN",
    "built_from_orders",
    "window_of",
]

#: The named groups of the common R/F segment map, best first.
RFM_GROUPS: tuple[str, ...] = (
    "Champions", "Loyal", "Potential loyalist", "New customers", "Promising", "Need attention",
    "About to sleep", "At risk", "Cannot lose them", "Hibernating", "Lost",
)
#: The group of each (R score, F score): rows R = 1..5, columns F = 1..5.
_GROUP_MAP = (
    ("Lost", "Hibernating", "At risk", "At risk", "Cannot lose them"),
    ("Hibernating", "Hibernating", "At risk", "At risk", "Cannot lose them"),
    ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),
    ("Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Loyal"),
    ("New customers", "Potential loyalist", "Potential loyalist", "Champions", "Champions"),
)
#: The columns after the customer id, in order.
RFM_COLUMNS: tuple[str, ...] = (
    "recency_days", "frequency", "monetary", "average_order_value", "tenure_days", "first_purchase",
    "last_purchase", "r_score", "f_score", "m_score", "rfm_score", "rfm_group",
)
#: The column holding the named RFM group.
GROUP_COLUMN = "rfm_group"
#: The windows :func:`build_customers` accepts, in months.
WINDOW_MONTHS = (1, 120)
#: A measure of the customer table a model may be trained on, named for a window (``frequency_12m``) or not.
_MEASURE = re.compile(r"^(?:recency_days|tenure_days|(?:frequency|monetary|average_order_value)(?:_(?P<months>\d+)m)?)$")


def built_from_orders(features: Sequence[str]) -> bool:
    """Whether every one of a model's features is a measure of the customer table :func:`build_customers` makes
    (recency, frequency, monetary value, average order value, tenure): a model trained on customers built from
    order lines, which next month's order lines can be turned into and segmented by."""
    return bool(features) and all(_MEASURE.match(str(f)) for f in features)


def growing_totals_note(features: Sequence[str], above: Iterable[str]) -> str:
    """Why a model of customers built from every order finds next month's customers out of its range, when some of
    the ``above`` features (more of them above the training range than the range check accepts) count every order:
    such totals only grow from one export to the next. "" otherwise (a window of months, other features). Found
    from outside: each month's export of a shop warned that the saved segmentation did not fit its customers."""
    growing = [str(f) for f in above if _MEASURE.match(str(f)) and not str(f).startswith("recency")]
    if not built_from_orders(features) or window_of(features) is not None or not growing:
        return ""
    one = len(growing) == 1
    return (f" The model's {join_words([repr(f) for f in growing])} count{'s' if one else ''} every order, so "
            f"{'it grows' if one else 'they grow'} from one export to the next: a customer table built over a window of "
            "months (the order card's, or segments rfm --window) keeps the months comparable.")


def window_of(features: Sequence[str]) -> int | None:
    """The window in months a customer table's measures were counted over, as their names say
    (``monetary_12m``: 12); None for every order (:func:`build_customers`' ``window_months``)."""
    months = {int(m["months"]) for m in map(_MEASURE.match, map(str, features)) if m and m["months"]}
    return months.pop() if len(months) == 1 else None
#: The id column's name when the file's own is not recognised as an identifier by core.quality.
DEFAULT_ID_NAME = "customer_id"
#: A transactions file has at most this many distinct customers per line (else it is a customer table).
_ORDERS_SHARE = 0.8
#: Order numbers marked as cancelled: a leading C (or "C-") before the number, as in C536379.
_CANCELLED = r"^\s*[Cc]-?\d+\s*$"
#: An order number of digits only: the C of a cancelled one marks it only among such numbers (found from outside:
#: 384 of a PayPal download's 20,000 transaction ids, letters and digits, started with C and a digit,
#: 'C1454AC31A353', and were netted as cancellations).
_DIGITS = r"^\s*\d+\s*$"
#: The share of the other order numbers that must be digits only for a C to mark a cancelled one.
_DIGITS_SHARE = 0.99
_EXAMPLES = 3

# Column names, normalised (lower case, letters and digits only), in order of preference.
_NAMES: dict[str, tuple[str, ...]] = {
    # (a customer id per order beside the person's own: the Brazilian e-commerce data's customer_unique_id)
    "customer": ("customeruniqueid", "uniquecustomerid", "customerid", "customer", "customerno", "customernumber", "customernum", "customercode",
                 "clientid", "client", "clientnumber", "clientno", "custid", "cust", "memberid", "member",
                 "accountid", "account", "accountcode", "buyerid", "buyer",
                 # a CRM's deals (HubSpot: "Associated Company", beside its ids)
                 "associatedcompany", "associatedcontact", "shopperid", "userid", "contactid",
                 # an accounting package's sales invoices (Xero: "*ContactName", beside an "EmailAddress" often blank)
                 "contactname", "contact",
                 # a shop's order export (Shopify, WooCommerce) names its customers by e-mail address
                 "email", "emailaddress", "customeremail", "billingemail", "contactemail", "buyeremail", "mail",
                 # a payment provider's activity download names the payer (PayPal: "From Email Address")
                 "fromemailaddress", "fromemail", "payeremail", "payeremailaddress", "payerid", "payer",
                 # a CRM's deals (Pipedrive: "Organization - Name"; Salesforce: "Account Name")
                 "organizationname", "organisationname", "organization", "organisation", "accountname", "companyname",
                 "company"),
    "date": ("invoicedate", "orderdate", "transactiondate", "purchasedate", "salesdate", "saledate",
             "orderpurchasetimestamp", "purchasetimestamp", "ordertimestamp", "orderplacedat", "placedat",
             # a data warehouse's abbreviations (order_dt 20240115, txn_date)
             "orderdt", "invoicedt", "transactiondt", "txndt", "txndate", "trandt", "trandate", "purchasedt",
             "salesdt", "saledt", "dt",
             # a won deal's date (Pipedrive: "Deal - Won time"; Salesforce: "Close Date")
             "dealwontime", "wontime", "wondate", "dealclosedate", "closedate", "closedat", "closeddate",
             "orderdatetime", "invoicedatetime", "transactiontime", "date", "datetime", "timestamp",
             "orderedat", "createdat", "created", "createdutc", "createdon", "createddate", "paymentdate", "paidat",
             # (Wix Stores: "Date created", beside "Time", which holds the time of day alone)
             "datecreated", "dateordered", "dateplaced", "dateofpurchase", "dateoforder",
             "chargedate", "time", "ts", "epoch"),
    # (an amount converted into the account's one currency comes first: Stripe's "Converted Amount" beside "Amount"
    # in each charge's own; found from outside, a third of a multi-currency account's charges were left out)
    # (Magento's order grid: "Grand Total (Base)", in the store's base currency, beside "Grand Total (Purchased)" in
    # each order's own and "Subtotal" before shipping; found from outside, the subtotal was counted while "Total
    # Refunded" refunds the grand total)
    "amount": ("convertedamount", "grandtotalbase", "basegrandtotal", "amount", "lineamount", "linetotal",
               # (WooCommerce: "Order Total Amount" beside "Order Subtotal Amount", first in the file)
               "ordertotalamount",
               "totalamount", "total", "totalprice", "sales", "salesamount", "revenue", "netamount", "netsales",
               "ordertotal", "grandtotal", "grandtotalpurchased", "ordervalue", "value",
               "spend", "spent", "turnover", "subtotal",
               # what was paid for the order (the Brazilian e-commerce data's payments: "payment_value")
               "paymentvalue", "paymentamount", "amountpaid", "paidamount", "totalpaid",
               # a deal's (Pipedrive: "Deal - Value")
               "dealvalue", "dealamount", "opportunityamount",
               # what the buyer paid, before the provider's fee (PayPal: "Gross" beside "Fee" and "Net")
               "gross", "grossamount"),
    "quantity": ("quantity", "qty", "units", "unitssold", "quantitysold", "itemcount", "items", "count"),
    "price": ("unitprice", "price", "priceeach", "itemprice", "unitcost", "priceperunit", "salesprice",
              "sellingprice", "unitamount"),
    "currency": ("convertedcurrency", "currency", "currencycode", "ordercurrency", "presentmentcurrency", "transactioncurrency",
                 "paymentcurrency", "curr", "ccy", "whrung", "waehrung", "devise", "moneda", "divisa", "valuta", "munt"),
    "status": ("status", "orderstatus", "financialstatus", "dealstatus", "stage", "dealstage", "opportunitystage",
               "paymentstatus", "transactionstatus", "orderstate", "orderpaymentstate", "paymentstate",
               "bestellstatus", "statut", "estado"),
    "refund": ("convertedamountrefunded", "refundedamount", "refundamount", "amountrefunded", "totalrefunded", "orderrefundamount", "refunded",
               "refund", "refunds", "refundtotal", "erstattungsbetrag", "erstattet", "rembourse", "montantrembourse",
               "reembolso", "importereembolsado"),
    "order": ("invoiceno", "invoice", "invoicenumber", "invoiceid", "orderid", "orderno", "ordernumber",
              "order", "orderreference", "orderref", "transactionid", "transaction", "transactionno", "receiptno",
              "receipt", "receiptid", "basketid", "ticketid", "salesid", "saleid", "documentno", "dealid", "opportunityid"),
}
# Words a column's normalised name may contain, per role, when no name matches exactly (English, German,
# French, Spanish, Dutch exports).
_PARTS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "client", "kunde", "cliente", "klant", "member", "buyer"),
    "status": ("status",),
    "currency": ("currency", "whrung", "waehrung", "devise", "moneda", "valuta"),
    "refund": ("refund", "erstatt", "rembours", "reembols", "terugbetaal"),
    "date": ("date", "datum", "fecha", "datetime", "timestamp", "orderedat", "createdat", "purchasedat", "paidat"),
    "amount": ("amount", "revenue", "sales", "total", "betrag", "umsatz", "montant", "importe", "bedrag"),
    "quantity": ("quantity", "qty", "menge", "anzahl", "quantite", "cantidad", "aantal"),
    "price": ("unitprice", "price", "preis", "prix", "precio", "prijs"),
    "order": ("invoice", "order", "rechnung", "bestell", "beleg", "facture", "commande", "factura", "pedido",
              "factuur", "bestelling", "receipt", "transaction"),
}
_ROLE_WORDS = {"customer": "customer", "date": "order date", "amount": "amount", "quantity": "quantity",
               "price": "unit price", "order": "order number", "status": "order status",
               "refund": "refunded amount", "currency": "currency"}
#: Order statuses whose lines are not purchases (normalised: lower case, letters only): a refunded, cancelled,
#: voided or failed order keeps its positive amount in a shop's export (Shopify, WooCommerce, whose ``wc-`` before
#: a status is dropped: ``wc-refunded``), unlike a return line or a cancelled invoice number, which net against
#: purchases.
NOT_PURCHASES = frozenset({
    "refunded", "refund", "cancelled", "canceled", "cancel", "voided", "void", "failed", "declined", "rejected",
    "denied", "reversed",  # (PayPal: a payment refused, or taken back by a chargeback)
    "unavailable",  # (an order the shop could not fill: the Brazilian e-commerce data)
    "returned", "storniert", "storno", "erstattet", "zurückerstattet", "annulé", "annulée", "annule", "annulee",
    "remboursé", "rembourse", "cancelado", "cancelada", "reembolsado", "anulado", "geannuleerd", "terugbetaald",
    # offers and drafts never confirmed (found from outside: an Odoo sales export's quotations counted as purchases),
    # a checkout left unfinished (BigCommerce's incomplete orders, WooCommerce's checkout drafts), an invoice written
    # off (Stripe's uncollectible) or an offer lapsed
    "quotation", "quotationsent", "quote", "draft", "checkoutdraft", "incomplete", "abandoned", "uncollectible",
    "expired", "trash", "deleted", "angebot", "entwurf", "devis", "brouillon", "presupuesto", "borrador", "offerte",
    # a payment that failed or was taken back (PrestaShop's "Payment error", OpenCart's "Chargeback")
    "paymenterror", "error", "chargeback", "chargedback",
    # an invoice left unpaid once dunning ended, or written off (found from outside: Chargebee's "Not Paid")
    "notpaid", "unpaid", "writtenoff", "writeoff",
    # an order never paid (found from outside: WooCommerce's "Pending payment")
    "pendingpayment", "awaitingpayment",
})
#: Under a payment's status (Clover's "Order Payment State", "Payment Status"), an order whose payment is still open
#: is not paid: no purchase yet (found from outside: Clover's open orders counted in full).
UNPAID_PAYMENT_STATES = frozenset({"open"})
#: The cells of a column of flags (0/1, true/false, yes/no), normalised: a refunded flag is no amount, and a column
#: flagging sales refunded in full is their status (Gumroad's "Refunded?" and "Fully Refunded?").
_FLAG_CELLS = frozenset({"0", "1", "true", "false", "yes", "no", "y", "n", "t", "f"})
_FLAG_SET = frozenset({"1", "true", "yes", "y", "t"})


def _cancelled_numbers(order_cells: pd.Series) -> np.ndarray:
    """Which lines' order numbers are marked cancelled (:data:`_CANCELLED`, C536379): only where the other order
    numbers written are digits only (:data:`_DIGITS_SHARE` of them), as an invoice register writes them."""
    cells = _arrow(order_cells)
    cancelled = pc.match_substring_regex(cells, _CANCELLED).to_numpy(zero_copy_only=False)
    if cancelled.any():
        written = pc.match_substring_regex(cells, r"\S").to_numpy(zero_copy_only=False) & ~cancelled
        digits = pc.match_substring_regex(cells, _DIGITS).to_numpy(zero_copy_only=False)
        if np.count_nonzero(digits) < _DIGITS_SHARE * np.count_nonzero(written):
            return np.zeros(len(order_cells), dtype=bool)
    return cancelled


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


#: A tax qualifier in a column's name ("Order Total (inc tax)", "Amount excl. VAT", "Preis inkl. MwSt"): found from
#: outside, a BigCommerce export's every amount said its tax, and none was taken for the amount.
_TAX_QUALIFIER = re.compile(
    r"\(?\b(?:inc|incl|including|inclusive\s+of|inkl|ex|excl|excluding|exclusive\s+of|exkl|zzgl|with|without|before|"
    r"after|plus|net\s+of)\b\.?\s*(?:sales\s+)?(?:tax|taxes|vat|gst|hst|mwst|ust|btw|iva|tva)\b\.?\)?", re.IGNORECASE)


def _named(name: str) -> str:
    """A column's name as the finders read it: normalised (:func:`_norm`), without a tax qualifier
    (:data:`_TAX_QUALIFIER`)."""
    return _norm(_TAX_QUALIFIER.sub(" ", str(name)))


@dataclass(frozen=True)
class OrderColumns:
    """Which columns of an order file play which part.

    Attributes
    ----------
    customer, date : str
        The customer id and the order date.
    amount : str | None
        The line's value; when None, ``quantity * price`` is.
    quantity, price : str | None
        Used when there is no amount column.
    order : str | None
        The order (invoice) number; without it every line is an order.
    status : str | None
        The order's status: lines of orders marked refunded, cancelled, voided or failed
        (:data:`NOT_PURCHASES`) are left out, and said.
    refund : str | None
        The amount refunded of a line's order (a partial refund: Shopify's "Refunded Amount", WooCommerce's
        "Order Refund Amount"): it nets against the line's value, and is said. Empty cells refund nothing.
    currency : str | None
        The currency each line's amount is in (USD, EUR...): lines in several currencies cannot be added up without
        conversion, so one currency's lines are counted (:func:`build_customers`' ``currency``), the others left
        out and said. Empty cells (an order's further item lines) count in any currency.
    recognised : tuple[str, ...]
        The roles (``"customer"``, ``"date"``...) found from the names rather than given.
    """

    customer: str
    date: str
    amount: str | None = None
    quantity: str | None = None
    price: str | None = None
    order: str | None = None
    recognised: tuple[str, ...] = ()
    status: str | None = None
    refund: str | None = None
    currency: str | None = None

    def describe(self, how: bool = True, given: str = "given") -> list[str]:
        """One line per role: ``customer: 'CustomerID' (recognised)`` (without ``how``: ``customer: 'CustomerID'``);
        ``given`` says where the columns not recognised came from."""
        lines = []
        for role in ("customer", "date", "order", "amount", "quantity", "price", "status", "refund", "currency"):
            name = getattr(self, role)
            if name is None:
                if role == "order":
                    lines.append("order number: none (every line counts as an order)")
                continue
            found = "recognised" if role in self.recognised else given
            lines.append(f"{_ROLE_WORDS[role]}: '{name}'" + (f" ({found})" if how else ""))
        if self.amount is None:
            lines.append("amount: quantity x unit price")
        return lines

    @property
    def used(self) -> list[str]:
        """The file's columns these roles read."""
        return [c for c in (self.customer, self.date, self.order, self.amount, self.quantity, self.price, self.status,
                            self.refund, self.currency) if c]


@dataclass(frozen=True)
class CustomerTable:
    """The customer table built from an order file.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per customer (first appearance in the file first), typed: integers, floats, dates as
        ``YYYY-MM-DD`` text, the scores as integers and ``rfm_group`` as a category.
    columns : OrderColumns
        The columns used.
    as_of : pandas.Timestamp
        The date recency and tenure are measured to.
    id_column : str
        The name of the customer id column in :attr:`table`.
    lines : int
        Order lines in the file.
    used_lines : int
        Lines that went into the table.
    notes : list[str]
        What was found and done, in words for the user (returns, lines left out, duplicates...).
    currency : str | None
        The currency whose lines were counted (``EUR``; :data:`ALL_CURRENCIES`: every one, as written); None
        without a currency column, or when it names none.
    as_of_given : bool
        :attr:`as_of` was given and is not the day after the last order (the default, which a form shows in its
        date field and may give back unchanged).
    """

    table: pd.DataFrame
    columns: OrderColumns
    as_of: pd.Timestamp
    id_column: str
    lines: int
    used_lines: int
    notes: list[str] = field(default_factory=list)
    currency: str | None = None
    as_of_given: bool = False

    def to_text_frame(self, decimal: str = ".") -> pd.DataFrame:
        """The table as text cells, the way :func:`core.io.read_table` gives a file (for the dashboard); the
        amounts with ``decimal`` as their decimal mark (``segments rfm`` writes a German export's customer table
        with its decimal comma)."""
        out = {}
        for name in self.table.columns:
            values = self.table[name]
            if pd.api.types.is_float_dtype(values):
                text = values.round(2).astype(str)
                if decimal != ".":
                    text = text.str.replace(".", decimal, regex=False)
            else:
                text = values.astype(str)
            out[name] = text.astype("str")
        frame = pd.DataFrame(out)
        frame.columns = pd.Index(list(out), dtype=object)  # as read_table names columns
        return frame


#: Words that make a column named like an amount something else than the line's value: its shipping, tax,
#: discount or fee ("Order Shipping Amount" before "Order Total Amount" in a WooCommerce export).
_NOT_THE_VALUE = ("shipping", "shipment", "delivery", "tax", "vat", "discount", "coupon", "fee", "tip", "duty",
                  "versand", "steuer", "mwst", "rabatt", "porto", "livraison", "remise", "envio", "impuesto",
                  "descuento", "verzend", "korting", "btw")
#: Words in a date column's name that say it dates something after the order (found from outside: the Brazilian
#: e-commerce data's carrier and delivery dates, blank until an order ships, came before its purchase timestamp).
_NOT_THE_ORDER_DATE = ("deliver", "ship", "carrier", "estimat", "approv", "due", "expir", "cancel", "refund",
                       "return", "updat", "modif", "birth", "lieferdatum", "versand", "livraison", "envio")


#: The roles whose column holds numbers: a column named like one of them whose cells are text is passed over.
_NUMBER_ROLES = ("amount", "quantity", "price")


def _holds_numbers(cells: pd.Series) -> bool:
    """Whether half or more of a column's first filled cells (200 at most) hold a digit: a look, not a reading (the
    column is read once, later, as the data check read it); an empty column cannot tell, and passes."""
    sample = first_written(cells, 200)
    return sample.empty or bool(sample.str.contains(r"\d").mean() >= 0.5)


def _find_part(frame_columns: list[str], role: str, taken: set[str]) -> str | None:
    """The first free column whose normalised name contains one of the role's words (``Client code``,
    ``Date of order``), in the words' order of preference; for the amount, none that names a shipping, tax,
    discount or fee amount (:data:`_NOT_THE_VALUE`); for the date, none that dates what follows the order
    (:data:`_NOT_THE_ORDER_DATE`)."""
    unwanted = {"amount": _NOT_THE_VALUE, "date": _NOT_THE_ORDER_DATE}.get(role, ())
    for word in _PARTS[role]:
        for column in frame_columns:
            name = _named(column)
            if column not in taken and word in name and not any(other in name for other in unwanted):
                return column
    return None


_ORDER_NUMBER = re.compile(r"^#\d+$")
#: Words in a column's name that say it holds something of an order other than its number (found from outside: an
#: Odoo export's 'Invoice Status' was taken for the order number beside 'Order Reference').
_NOT_THE_ORDER_NUMBER = ("status", "state", "type", "kind", "method", "stage", "date", "time", "total", "amount",
                         "value", "currency", "quantity", "qty", "price", "orderline", "lineid", "lineno",
                         "linenumber", "item", "channel")


#: A time of day alone ("06:15", "8:01 PM", "18:30:05").
_TIME_OF_DAY = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*$")


def _times_of_day(cells: pd.Series) -> bool:
    """Whether nine in ten of a column's first filled cells (200 at most) are a time of day alone, no date (Wix
    Stores' "Time" beside its "Date created": found from outside, it was taken for the order date)."""
    sample = first_written(cells, 200)
    return len(sample) > 0 and float(sample.str.match(_TIME_OF_DAY).mean()) >= 0.9


def _no_order_numbers(name: str, cells: pd.Series) -> bool:
    """Whether a column named like an order number cannot hold one: its name says it holds something else of the
    order (:data:`_NOT_THE_ORDER_NUMBER`: 'Invoice Status', 'Order Type'), or its first filled cells (200 at most)
    are a few categories without digits ('Fully Invoiced', 'To Invoice': fewer than one distinct text in ten cells),
    where order numbers are written with digits (536365, #1001, S00042) or are many codes (PrestaShop's references,
    XKBKNABJK)."""
    normalised = _norm(name)
    if any(word in normalised for word in _NOT_THE_ORDER_NUMBER):
        return True
    sample = first_written(cells, 200)
    return not _holds_numbers(cells) and sample.nunique() * 10 < len(sample)


def _numbered_orders(cells: pd.Series) -> bool:
    """Whether a column's first filled cells (200 at most) are order numbers written ``#1001``, as Shopify
    names its orders (in a column called Name), nine in ten at least."""
    sample = first_written(cells, 200)
    return len(sample) >= 2 and sample.map(lambda v: bool(_ORDER_NUMBER.match(v))).mean() >= 0.9


def _find(frame_columns: list[str], role: str, taken: set[str]) -> str | None:
    by_norm: dict[str, str] = {}
    for column in frame_columns:
        by_norm.setdefault(_named(column), column)
    for wanted in _NAMES[role]:
        column = by_norm.get(wanted)
        if column is not None and column not in taken:
            return column
    return None


def recognise_columns(frame: pd.DataFrame, *, customer: str | None = None, date: str | None = None,
                      amount: str | None = None, quantity: str | None = None, price: str | None = None,
                      order: str | None = None, status: str | None = None,
                      refund: str | None = None, currency: str | None = None) -> OrderColumns:
    """The columns playing each part: those given, the others recognised from their names (a currency column only
    when its cells are currency codes or signs, :func:`_holds_currencies`).

    Raises
    ------
    FeatureError
        A given column is not in the file, or a needed one (customer, date, amount or quantity and
        price) is neither given nor recognised; the message lists the file's columns.
    """
    names = [str(c) for c in frame.columns]
    listed = ", ".join(f"'{n}'" for n in names[:20]) + (" ..." if len(names) > 20 else "")
    # status="" asks for none (every line a purchase, whatever its status); refund="" and currency="" likewise
    no_status, no_refund, no_currency = status == "", refund == "", currency == ""
    given = {"customer": customer, "date": date, "amount": amount, "quantity": quantity, "price": price,
             "order": order, "status": status or None, "refund": refund or None, "currency": currency or None}
    for role, name in given.items():
        if name is not None and name not in names:
            raise FeatureError(f"There is no column '{name}' (given as the {_ROLE_WORDS[role]}); the file's "
                               f"columns are {listed}.")
    if amount is not None and (quantity is not None or price is not None):
        raise FeatureError("Give either the amount column, or the quantity and unit price columns, not both.")
    if (quantity is None) != (price is None) and amount is None:
        # one of the two given: the other may still be recognised
        pass
    taken = {n for n in given.values() if n}
    # found from outside: an Amazon order report's 'sales-channel' ("Amazon.com") was taken for the amount
    texts = {n for n in names if n not in taken and any(_norm(n) in _NAMES[r] or any(w in _norm(n) for w in _PARTS[r])
                                                        for r in _NUMBER_ROLES) and not _holds_numbers(frame[n])}
    # an order number must be one (:func:`_no_order_numbers`), and an order date more than a time of day
    named = {role: {n for n in names if n not in taken and (_norm(n) in _NAMES[role] or any(
        w in _norm(n) for w in _PARTS[role]))} for role in ("order", "date")}
    # ... and an amount refunded no column of flags (Gumroad's "Refunded?", 0 or 1)
    named["refund"] = {n for n in names if n not in taken and (_norm(n) in _NAMES["refund"] or any(
        w in _norm(n) for w in _PARTS["refund"]))}
    unfit = {"order": {n for n in named["order"] if _no_order_numbers(n, frame[n])},
             "date": {n for n in named["date"] if _times_of_day(frame[n])},
             "refund": {n for n in named["refund"] if _flags(frame[n])}}
    found: dict[str, str | None] = dict(given)
    recognised = []
    if "amazon-order-id" in names and "item-price" in names and amount is None and quantity is None \
            and price is None and "item-price" not in texts:
        # Amazon's order report: its item-price is the item's price times its quantity, the line's amount
        found["amount"] = "item-price"
        taken.add("item-price")
        recognised.append("amount")
    # a refund column first: "Refund Amount" holds an amount, but never the lines' value
    roles = ["customer", "date", "order"] + ([] if no_status else ["status"]) + ([] if no_refund else ["refund"])
    if amount is None and quantity is None and price is None:
        roles += ["quantity", "price", "amount"]
    elif amount is None:
        roles += ["quantity", "price"]
    for finder in (_find, _find_part):  # every exact name first, then names that contain a known word
        for role in roles:
            if found[role] is None:
                column = finder(names, role, taken | (texts if role in _NUMBER_ROLES else unfit.get(role, set())))
                if column is not None:
                    found[role] = column
                    taken.add(column)
                    recognised.append(role)
    if found["amount"] is None and (found["quantity"] is None or found["price"] is None) and "amount" in roles:
        # only a column of text is named like an amount: it is taken, and the build says it holds no numbers
        found["amount"] = next((c for finder in (_find, _find_part) for c in [finder(names, "amount", taken)]
                                if c is not None), None)
        if found["amount"] is not None:
            taken.add(found["amount"])
            recognised.append("amount")
    if found["status"] is None and not no_status:  # sales flagged refunded in full (Gumroad's "Fully Refunded?")
        flagged = sorted((n for n in unfit["refund"] if n not in taken and _names_undone(n)),  # (flags, found above)
                         key=lambda n: "full" not in _norm(n))
        if flagged and ("full" in _norm(flagged[0]) or found["refund"] is None):
            found["status"] = flagged[0]
            taken.add(flagged[0])
            recognised.append("status")
    if customer is None and found["customer"] is None:  # (Wix Stores: "Contact email")
        found["customer"] = _email_column(frame, taken)
        if found["customer"] is not None:
            taken.add(found["customer"])
            recognised.append("customer")
    # guests' orders under one placeholder id (BigCommerce, WooCommerce: 0): their e-mail addresses tell them apart
    email = _email_column(frame, taken) if customer is None and found["customer"] is not None else None
    if email is not None and _guests(frame[found["customer"]]) is not None:
        taken.discard(found["customer"])
        found["customer"] = email
        taken.add(email)
    if customer is None and found["customer"] is not None and "mail" in _norm(found["customer"]):
        fuller = _fuller_email(frame, found["customer"], taken)
        if fuller is not None:
            taken.discard(found["customer"])
            found["customer"] = fuller
            taken.add(fuller)
    if found["currency"] is None and not no_currency:  # (after the amount: "Amount (currency)" is the amount)
        found["currency"] = next((c for finder in (_find, _find_part) for c in [finder(names, "currency", taken)]
                                  if c is not None and _holds_currencies(frame[c])), None)
        if found["currency"] is not None:
            taken.add(found["currency"])
            recognised.append("currency")
    if found["order"] is None:  # Shopify names each order "#1001" in a column called Name
        found["order"] = next((c for c in names if c not in taken and _numbered_orders(frame[c])), None)
        if found["order"] is not None:
            taken.add(found["order"])
            recognised.append("order")
    # an amount column beats quantity x price (a file with both holds the line total in it)
    if found["amount"] is not None and amount is None and quantity is None and price is None:
        found["quantity"] = found["price"] = None
        recognised = [r for r in recognised if r not in ("quantity", "price")]
    elif found["amount"] is None and (found["quantity"] is None or found["price"] is None):
        have = " and ".join(f"'{found[r]}'" for r in ("quantity", "price") if found[r])
        raise FeatureError(
            "No column holds the value of each order line: none is named like an amount (Amount, Total, "
            "Sales, Revenue...)" + (f", and {have} alone is not enough (quantity x unit price needs both)"
                                    if have else ", nor like a quantity and a unit price")
            + f". The file's columns are {listed}. Name the column with --amount, or --quantity and --price.")
    if found["customer"] is None:
        raise FeatureError(f"No column holds the customer: none is named like CustomerID, Customer or Client. "
                           f"The file's columns are {listed}. Name it with --customer.")
    if found["date"] is None:
        raise OrdersError(f"No column holds the order dates: none is named like InvoiceDate, OrderDate or Date, "
                          f"and recency cannot be measured without them. The file's columns are {listed}. "
                          "Name the date column with --date.")
    return OrderColumns(found["customer"], found["date"], found["amount"],  # type: ignore[arg-type]
                        found["quantity"], found["price"], found["order"], tuple(recognised), found["status"],
                        found["refund"], found["currency"])


#: The roles of :class:`OrderColumns` a recipe names a column for (the customer and date first).
_RECIPE_ROLES = ("customer", "date", "amount", "quantity", "price", "order", "status", "refund", "currency")


@dataclass(frozen=True)
class OrderRecipe:
    """How a customer table was built from order lines, kept with it and with a model trained on it (the
    dashboard's :attr:`core.io.TableRead.recipe`, :attr:`core.persist.ModelInfo.orders`): next month's order lines
    are built the same way (:func:`rebuild_for_model`), not by what is recognised in them. Found from outside: an
    order card's choices (the net amount column rather than the gross one found by its name, the euro lines of a shop
    selling mostly in dollars) were lost, and next month's customers were counted otherwise than the model's.

    Attributes
    ----------
    columns : OrderColumns
        The column of each role.
    currency : str | None
        The currency counted (:attr:`CustomerTable.currency`).
    as_of : str | None
        The date recency was measured to, when one was given (``2024-06-30``); None: the day after the last order.
    """

    columns: OrderColumns
    currency: str | None = None
    as_of: str | None = None

    @classmethod
    def of(cls, built: CustomerTable) -> OrderRecipe:
        """The recipe of a customer table :func:`build_customers` made."""
        return cls(replace(built.columns, recognised=()), built.currency,
                   str(built.as_of.date()) if built.as_of_given else None)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (:meth:`from_json` reads it back)."""
        return {"columns": {role: getattr(self.columns, role) for role in _RECIPE_ROLES
                            if getattr(self.columns, role) is not None},
                "currency": self.currency, "as_of": self.as_of}

    @classmethod
    def from_json(cls, data: Any) -> OrderRecipe | None:
        """The recipe :meth:`to_json` wrote; None for an empty one (a table not built from orders).

        Raises
        ------
        ModelError
            ``data`` is not such a recipe (a damaged or hand-edited model bundle).
        """
        if not data:
            return None
        try:
            named = {str(role): str(name) for role, name in dict(data["columns"]).items()}
            if not {"customer", "date"} <= set(named) <= set(_RECIPE_ROLES) or not (
                    "amount" in named or {"quantity", "price"} <= set(named)):
                raise ValueError("its columns name no customer, date and amount")
            currency, as_of = data.get("currency"), data.get("as_of")
            if not all(v is None or isinstance(v, str) for v in (currency, as_of)):
                raise ValueError("its currency or date is not text")
            if as_of is not None:
                pd.Timestamp(as_of)
            return cls(OrderColumns(**named), currency, as_of)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"The model's description of how its customers were built from order lines is "
                             f"damaged ({exc}).") from None


@dataclass(frozen=True)
class OrderRebuild:
    """How next month's order lines are built into the customer table a model of customers built from orders
    segments (:func:`rebuild_for_model`): :func:`build_customers`' ``columns``, ``window_months`` and
    ``currency``, and what differs from the saved table's build, in words (``said``)."""

    columns: OrderColumns
    window_months: int | None
    currency: str | None
    said: tuple[str, ...] = ()
    same_columns: bool = False
    recorded: bool = True  # the model keeps its table's recipe (False: the columns are recognised anew)

    def describe(self, name: str) -> str:
        """The build in words: ``april.csv holds order lines, one per purchase (customer: ...). The model was
        trained on customers built from order lines, counting ...: the customer table of april.csv is built the
        same way, as of the day after its last order.`` and what differs."""
        roles = "; ".join(self.columns.describe(how=not self.same_columns, given="as the saved table was built"))
        if self.same_columns:
            roles = f"in the columns the saved table was built from: {roles}"
        counting = f"the orders of the last {self.window_months} months" if self.window_months else "every order"
        if self.currency == ALL_CURRENCIES:
            counting += " in every currency, as written"
        elif self.currency:
            counting += f" in {self.currency}"
        how = "the same way" if self.recorded else f"from its order lines, counting {counting} too"
        return " ".join([f"{name} holds order lines, one per purchase ({roles}). The model was trained on customers "
                         f"built from order lines, counting {counting}: the customer table of {name} is built {how}, "
                         "as of the day after its last order.", *self.said])


def rebuild_for_model(frame: pd.DataFrame, features: Sequence[str],
                      recipe: OrderRecipe | None = None) -> OrderRebuild | None:
    """How ``frame``'s order lines are built into a customer table for a model whose ``features`` are the measures
    of one (:func:`built_from_orders`) that ``frame`` lacks: a model trained on last month's customers, given next
    month's order lines, whose customer table is built the same way (:func:`build_customers`). The columns of the
    saved table's ``recipe`` when ``frame`` has them all, else those of them it has and the others recognised (said;
    all recognised without a recipe); its currency; the window the features name (:func:`window_of`). None when the
    model is of other features, ``frame`` has them, or it holds no order lines."""
    names = {str(c) for c in frame.columns}
    if not built_from_orders(features) or {str(f) for f in features} <= names:
        return None
    columns = None
    if recipe is not None:
        # the saved table's columns this file has; a status, refund or currency column it had none of, none still
        kept = {role: (name if name in names else None) if name is not None else
                ("" if role in ("status", "refund", "currency") else None)
                for role in _RECIPE_ROLES for name in [getattr(recipe.columns, role)]}
        try:
            columns = recognise_columns(frame, **kept)
        except (FeatureError, OrdersError):
            columns = None  # (a needed part neither kept nor recognised: a file of another kind)
    if columns is None:
        columns = looks_like_orders(frame)
        if columns is None:
            return None
    same = recipe is not None and all(getattr(columns, role) == getattr(recipe.columns, role) for role in _RECIPE_ROLES)
    said: list[str] = []
    gone = [] if recipe is None else [(role, name) for role in _RECIPE_ROLES
                                      if (name := getattr(recipe.columns, role)) is not None and name not in names]
    if gone:
        said.append("This file lacks " + join_words([f"'{name}' ({_ROLE_WORDS[role]})" for role, name in gone])
                    + " of the saved table's columns: " + ("the columns recognised in it are used." if not any(
                        getattr(columns, role) for role, _ in gone) else "; ".join(
                        f"'{getattr(columns, role)}' was recognised as the {_ROLE_WORDS[role]}"
                        for role, _ in gone if getattr(columns, role)) + " instead."))
    currency = recipe.currency if recipe is not None and columns.currency is not None else None
    if recipe is not None and recipe.as_of:
        said.append(f"(The saved table was counted as of {recipe.as_of}, a date given then.)")
    if recipe is None:  # (found from outside: a table built by `segments rfm --amount Net`, next month by 'Total')
        said.append("The model keeps no record of the columns and currency its customers were built with (it was "
                    "trained on a customer table read from a file, as segments rfm writes one, or saved before such "
                    "a record was kept): the columns are recognised in this file, and a choice made then, another "
                    "amount or currency, is not repeated.")
    return OrderRebuild(columns, window_of(features), currency, tuple(said), same, recipe is not None)


def order_lines_warning(frame: pd.DataFrame, name: str) -> str | None:
    """That ``frame`` (the file ``name``) holds order lines (:func:`looks_like_orders`), so segments of its rows would
    group purchases, not customers: ``orders.csv holds order lines, one per purchase: 7,060 lines of 240 customers
    ('CustomerID'), so segments of its rows would group purchases, not customers. Build its customer table first``
    (the caller says how). None for any other table. Found from outside: ``segments fit orders.csv --k auto``
    segmented "7,060 of 7,060 customers" of a file of 240, and the Model page offered the lines' amounts as
    features, with nothing said beyond the Upload page's offer."""
    columns = looks_like_orders(frame)
    if columns is None:
        return None
    customers = int(frame[columns.customer].nunique())
    return (f"{name} holds order lines, one per purchase: {counted(len(frame), 'line')} of "
            f"{counted(customers, 'customer')} ('{columns.customer}'), so segments of its rows would group purchases, "
            "not customers. Build its customer table first")


def looks_like_orders(frame: pd.DataFrame) -> OrderColumns | None:
    """The order columns when ``frame`` looks like a transactions file, else None.

    A transactions file has a customer, a date and an amount (or quantity and price) column recognised by
    name, and many rows per customer (fewer distinct customers than 80% of its rows).
    """
    try:
        columns = recognise_columns(frame)
    except (FeatureError, OrdersError):
        return None
    customers = frame[columns.customer]
    distinct = int(customers.head(200_000).nunique())
    return columns if distinct < _ORDERS_SHARE * min(len(frame), 200_000) else None


#: A currency as order exports write it: an ISO code (USD, EUR) or a sign ($, €, kr).
_CURRENCY_CELL = r"^\s*(?:[A-Za-z]{3}|[$€£¥₹₩₽₺₪₫฿]|[A-Za-z]{1,3}\$|kr|zł|Kč|Ft|R)\s*$"
#: Counting the lines of every currency, their amounts summed as written (:func:`build_customers`' ``currency``).
ALL_CURRENCIES = "all"


def _customers_gone(customer_codes: np.ndarray, keep: np.ndarray, left: np.ndarray) -> int:
    """How many customers of the ``keep`` lines have none left once the ``left`` lines are left out: they are not in
    the customer table, and the note that leaves the lines out says so."""
    return int(np.unique(customer_codes[keep]).size - np.unique(customer_codes[keep & ~left]).size)


#: Customer ids that name no one customer: the placeholder of guests' orders (normalised: stripped, lower case; a
#: missing-value marker, 'n/a', is no customer id at all, and is left out and said).
_GUEST_IDS = frozenset({"0", "-1", "0.0", "guest", "guests", "anonymous", "unknown", "gast", "invité", "invite",
                        "invitado", "anonym", "anonyme",
                        # a till's sales to whoever walks in (Lightspeed X-Series, formerly Vend: "WALKIN")
                        "walkin", "walk-in", "walk in", "walkin customer", "walk-in customer", "walk in customer",
                        "cash customer", "cash sale", "cash sales", "laufkunde", "laufkundschaft", "passant"})
#: The e-mail address columns among the customer's names (:data:`_NAMES`), in order of preference.
_EMAIL_NAMES = tuple(n for n in _NAMES["customer"] if "mail" in n)


def _guests(cells: pd.Series, factorized: tuple[np.ndarray, Any] | None = None) -> tuple[str, int] | None:
    """The placeholder id of guests' orders in a customer column (:data:`_GUEST_IDS`: ``0`` in a BigCommerce or
    WooCommerce export) as written, and on how many lines, when it is on two lines or more; else None. Each distinct
    id is looked at once (``factorized``: the column's codes and distinct ids, when already at hand)."""
    codes, ids = factorized if factorized is not None else pd.factorize(cells, sort=False)
    guest = pd.Series(ids, dtype=object).astype(str).str.strip().str.lower().isin(_GUEST_IDS).to_numpy()
    if not guest.any():
        return None
    counts = np.bincount(codes[codes >= 0], minlength=len(ids))
    most = int(np.argmax(np.where(guest, counts, -1)))
    return (str(ids[most]).strip(), int(counts[most])) if counts[most] >= 2 else None


def _email_column(frame: pd.DataFrame, taken: set[str]) -> str | None:
    """The first free column named like a customer's e-mail address (:data:`_EMAIL_NAMES`, or a name with
    ``email`` in it) whose first written cells are e-mail addresses, nine in ten."""
    names = [str(c) for c in frame.columns if str(c) not in taken]
    ranked = [n for wanted in _EMAIL_NAMES for n in names if _norm(n) == wanted]
    ranked += [n for n in names if "email" in _norm(n) and n not in ranked]
    for name in ranked:
        sample = first_written(frame[name], 200)
        if len(sample) and float(sample.str.contains("@", regex=False).mean()) >= 0.9:
            return name
    return None


#: The first lines whose blanks :func:`_fuller_email` counts.
_BLANKS_LOOK = 100_000


def _fuller_email(frame: pd.DataFrame, chosen: str, taken: set[str]) -> str | None:
    """Another column of e-mail addresses (:func:`_email_column`'s look) with under half the blanks of ``chosen``,
    which has some (one in a hundred of the first :data:`_BLANKS_LOOK` lines), the fullest such; else None. Found
    from outside: Gumroad's "Buyer Email" is blank for guest checkouts (10% of the lines left out) beside its
    "Purchase Email", written on every line."""
    def blanks(name: str) -> float:
        return float(missing_mask(frame[name].iloc[:_BLANKS_LOOK]).mean()) if len(frame) else 0.0

    mine = blanks(chosen)
    if mine < 0.01:
        return None
    others: list[tuple[float, str]] = []
    free = taken | {chosen}
    while (other := _email_column(frame, free)) is not None:
        others.append((blanks(other), other))
        free = free | {other}
    best = min(others, default=None)
    return best[1] if best is not None and best[0] < mine / 2 else None


def _guest_lines(codes: np.ndarray, ids: Any) -> np.ndarray:
    """The lines whose customer id is a placeholder (:data:`_GUEST_IDS`), each distinct id looked at once."""
    guest = pd.Series(ids, dtype=object).astype(str).str.strip().str.lower().isin(_GUEST_IDS).to_numpy()
    return _lines_of(codes, guest) if guest.any() else np.zeros(len(codes), dtype=bool)


def _guests_note(frame: pd.DataFrame, columns: OrderColumns, held: tuple[str, int] | None,
                 share: float = 0.0) -> str | None:
    """What the guests' placeholder id does: its orders are left out, ``share`` of the value of all lines (``held``:
    the customer column's, by :func:`_guests`: found from outside, a till's "WALKIN" made one customer of a third
    of the sales, a "Champion"), or it is passed over for their e-mail addresses (as :func:`recognise_columns`
    does, and the dashboard's order card, which gives its columns, proposes); None when neither."""
    if held is not None:
        email = _email_column(frame, set(columns.used))
        return (f"'{columns.customer}' is '{held[0]}' on {counted(held[1], 'order line')} (guests' or walk-in orders, "
                f"{share:.1%} of the value of all lines): a placeholder, no one customer; left out"
                + (f" ('{email}' tells them apart: choose it as the customer)." if email else "."))
    if "mail" not in _norm(columns.customer):
        return None
    names = [str(c) for c in frame.columns]
    first = _find(names, "customer", set()) or _find_part(names, "customer", set())
    passed = _guests(frame[first]) if first is not None and first != columns.customer else None
    if passed is None:
        return None
    return (f"Customers are told apart by '{columns.customer}': '{first}' is '{passed[0]}' on "
            f"{counted(passed[1], 'order line')} (guests' orders), which would make them one customer.")


def _holds_currencies(cells: pd.Series) -> bool:
    """Whether nine in ten of a column's first written cells (2,000 at most) are currencies (:data:`_CURRENCY_CELL`)."""
    sample = first_written(cells, 2_000)
    return len(sample) > 0 and float(sample.str.match(_CURRENCY_CELL).mean()) >= 0.9


def _currency_codes(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each line's currency as a number (-1 for an empty or missing cell) and the currencies (stripped, upper case:
    ``usd`` and ``USD`` are one): each distinct cell is read once, not each of ten million lines."""
    codes, distinct = pd.factorize(cells, sort=False)
    names = pd.Series(distinct, dtype=object).astype(str).str.strip().str.upper().to_numpy(dtype=object)
    same, currencies_found = pd.factorize(names, sort=False)
    empty = np.asarray(currencies_found == "", dtype=bool)
    line = np.where(codes >= 0, same[np.maximum(codes, 0)], -1)
    if empty.any():  # an empty cell names no currency
        line[line == int(np.flatnonzero(empty)[0])] = -1
    return line, np.asarray(currencies_found, dtype=object)


def _counted(line: np.ndarray, names: np.ndarray, among: np.ndarray | None = None) -> list[tuple[str, int]]:
    """``(currency, lines)`` of the lines ``among`` (all by default), most lines first, then by name."""
    chosen = line if among is None else line[among]
    counts = np.bincount(chosen[chosen >= 0], minlength=len(names))
    return sorted(((str(names[i]), int(n)) for i, n in enumerate(counts) if n), key=lambda item: (-item[1], item[0]))


def currencies(frame: pd.DataFrame, column: str) -> list[tuple[str, int]]:
    """The currencies a column writes (stripped, upper case: ``usd`` and ``USD`` are one), each with its number of
    lines, most lines first (the first is what :func:`build_customers` counts by default); empty cells aside."""
    return _counted(*_currency_codes(frame[column]))


def _other_currencies(frame: pd.DataFrame, column: str, chosen: str | None, keep: np.ndarray, value: np.ndarray,
                      total: float, customer_codes: np.ndarray,
                      notes: list[str]) -> tuple[np.ndarray, str | None]:
    """The kept lines in another currency than ``chosen`` (None: the most common of the kept lines;
    :data:`ALL_CURRENCIES`: none, every amount summed as written), with a note when the lines are in several; and
    the currency counted (:attr:`CustomerTable.currency`)."""
    line, names = _currency_codes(frame[column])
    kinds = _counted(line, names, keep)
    none = np.zeros(len(frame), dtype=bool)
    if chosen is not None and chosen.strip().lower() == ALL_CURRENCIES:  # (not Albania's lek, ALL)
        chosen = ALL_CURRENCIES
    if chosen is not None and chosen != ALL_CURRENCIES:
        chosen = chosen.strip().upper()
        if chosen not in {code for code, _ in kinds}:
            listed = ", ".join(f"{code} ({n:,} lines)" for code, n in kinds[:8]) or "none"
            raise OrdersError(f"No order line in '{column}' is in {chosen}; its currencies are {listed}.")
    if len(kinds) < 2:
        return none, (chosen if chosen == ALL_CURRENCIES else kinds[0][0] if kinds else None)
    listed = ", ".join(f"{code} ({n:,})" for code, n in kinds[:8]) + (" ..." if len(kinds) > 8 else "")
    if chosen == ALL_CURRENCIES:
        notes.append(f"The order lines are in {len(kinds)} currencies in '{column}' ({listed}): their amounts are "
                     "added up as written, without conversion, so monetary values mix currencies.")
        return none, ALL_CURRENCIES
    chosen = chosen or kinds[0][0]
    left = keep & (line >= 0) & (line != int(np.flatnonzero(names == chosen)[0]))
    share = float(np.abs(value[left]).sum()) / total if total else 0.0
    gone = _customers_gone(customer_codes, keep, left)
    others = ", ".join(f"{code} ({n:,})" for code, n in kinds if code != chosen)
    nobody = (f" {counted(gone, 'customer')} had no order in {chosen} and {'is' if gone == 1 else 'are'} not in the "
              "customer table." if gone else "")
    notes.append(f"Only the order lines in {chosen} are counted: {counted(int(left.sum()), 'line')} in other "
                 f"currencies in '{column}' ({others}; {share:.1%} of the value of all lines, as written) "
                 f"{'is' if left.sum() == 1 else 'are'} left out, since amounts in different currencies cannot be "
                 f"added up without conversion.{nobody} Choose another currency, or every currency to add them up "
                 "as written.")
    return left, chosen


def _flags(cells: pd.Series) -> bool:
    """Whether a column's first written cells (200 at most) are all flags (:data:`_FLAG_CELLS`: 0/1, yes/no)."""
    sample = first_written(cells, 200)
    return len(sample) > 0 and bool(sample.str.strip().str.lower().isin(_FLAG_CELLS).all())


def is_refund_flag(name: str, cells: pd.Series) -> bool:
    """Whether a column flags lines refunded, cancelled or voided (Gumroad's "Fully Refunded?", 0 or 1): named so,
    and holding flags (:func:`_flags`). Found from outside: Gumroad's "Refunded?" was read as an amount refunded, 1.00
    off each refunded sale."""
    return _names_undone(name) and _flags(cells)


def _names_undone(name: str) -> bool:
    """Whether a column's name says refunded, cancelled, voided or charged back (of a flag: :func:`is_refund_flag`)."""
    normalised = _norm(name)
    return any(word in normalised for word in ("refund", "cancel", "void", "chargeback"))


#: A deal's status or stage that makes it a purchase, normalised (Pipedrive's "won", Salesforce's "Closed Won"): in a
#: CRM's deals export, where one is written, every other status is no purchase.
WON = frozenset({"won", "closedwon", "dealwon"})


def _status_out(cells: pd.Series, name: str = "") -> np.ndarray:
    """The lines whose order status says they are not purchases (:data:`NOT_PURCHASES`; in a CRM's deals export, every
    status but won, :data:`WON`: found from outside, a Pipedrive export's lost and open deals counted as purchases;
    under a payment's status, ``name``, an open payment, :data:`UNPAID_PAYMENT_STATES`; in a column of flags named for
    refunds, :func:`is_refund_flag`, the lines flagged)."""
    codes, statuses = pd.factorize(cells, sort=False)
    words = pd.Series(statuses).astype(str).str.strip().str.lower()
    # WooCommerce writes its statuses as stored, "wc-refunded", "wc-cancelled" (or as shown, "Refunded")
    words = words.str.replace(r"^wc-", "", regex=True).str.replace(r"[\s_\-]+", "", regex=True)
    if is_refund_flag(name, cells):
        out_status = words.isin(_FLAG_SET).to_numpy()
    else:
        unpaid = UNPAID_PAYMENT_STATES if "payment" in _norm(name) or "financial" in _norm(name) else frozenset()
        out_status = words.isin({re.sub(r"[\s_\-]+", "", w) for w in NOT_PURCHASES} | unpaid).to_numpy()
    won = words.isin(WON).to_numpy()
    if won.any():  # a CRM's deals: only the won ones are purchases (lost and open ones, every stage before, are not)
        out_status = ~won
    if not out_status.any():
        return np.zeros(len(cells), dtype=bool)
    return _lines_of(codes, out_status)


def _not_purchases(frame: pd.DataFrame, columns: OrderColumns, out: np.ndarray, placed: np.ndarray, keep: np.ndarray,
                   value: np.ndarray, total: float, customer_codes: np.ndarray, notes: list[str]) -> np.ndarray:
    """Of the lines ``out`` marks (:func:`_status_out`), those left out for their status: every one that has a customer
    and a date, with an amount or without (a cancelled order's line in an Amazon report has no price: found from
    outside, such lines were said to lack an amount), and a note saying how many, which statuses, their share of the
    value of all lines, and how many customers had no other order (they are not in the customer table). ``placed``:
    the lines with a customer and a date; ``keep``: those with an amount too; ``value``: each line's amount (NaN where
    none)."""
    left = out & placed
    if left.any():
        counts = frame[columns.status][left].astype(str).str.strip().value_counts()  # type: ignore[index]
        listed = ", ".join(f"'{name}' ({count:,})" for name, count in counts.items())
        share = float(np.nansum(np.abs(value[left]))) / total if total else 0.0
        gone = _customers_gone(customer_codes, keep | left, left)
        nobody = (f" {counted(gone, 'customer')} had no other order and {'is' if gone == 1 else 'are'} not in the "
                  "customer table." if gone else "")
        notes.append(f"{counted(int(left.sum()), 'order line')} marked {listed} in '{columns.status}' "
                     f"{'is' if left.sum() == 1 else 'are'} left out: not purchases ({float(np.nansum(value[left])):,.2f}, "
                     f"{share:.1%} of the value of all lines).{nobody} Choose no status column to count "
                     f"{'it' if left.sum() == 1 else 'them'}.")
    return left


# --- dates ---------------------------------------------------------------------------------------

_SAMPLE = 2000


#: Dates outside these years are not order dates (an order number read as ``%Y%m%d``, a typo'd year).
_YEARS = (pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"))


def _try(texts: pd.Series, fmt: str) -> pd.Series:
    """``texts`` (without UTC offsets: :func:`parse_dates`) read with one format (nanosecond timestamps), NaT
    where it does not fit or the year is implausible."""
    got = pd.to_datetime(texts, format=fmt, errors="coerce")
    got = got.where((got >= _YEARS[0]) & (got < _YEARS[1]))
    return got.astype("datetime64[ns]")


_FORMATS = ["ISO8601", *WRITTEN_DATES]
#: At most this many formats are used for one column (each after the previous left texts unread).
_MAX_FORMATS = 6


def _best_format(texts: pd.Series) -> str | None:
    """The format reading most of a sample of ``texts`` (the first, in :data:`_FORMATS` order, that reads
    all of it: ISO first, day-first before month-first), or None when none reads any."""
    sample = texts.sample(_SAMPLE, random_state=0) if len(texts) > _SAMPLE else texts
    best, best_hits = None, 0
    for fmt in _FORMATS:
        hits = int(_try(sample, fmt).notna().sum())
        if hits > best_hits:
            best, best_hits = fmt, hits
        if hits == len(sample):
            break
    return best


def parse_dates(texts: pd.Series, name: str = "The date column") -> tuple[pd.Series, list[str]]:
    """Parse distinct date texts (stripped, none missing) of the column ``name`` into timestamps.

    Returns the timestamps (NaT where no known format reads the text) and notes on the formats used.
    The format that reads most of a sample (:func:`_best_format`) reads every text it can; the texts it
    leaves are given the best format for them, and so on (a column mixing formats). When day/month and
    month/day both read every date, day-first is taken, and a note says so. A time's UTC offset is left out,
    once, before any format is tried: the date and time as written, in the shop's own zone. A column of Unix
    times only (an app's ``created_at`` of 1699523186, :func:`core.transform.unix_time_format`) is read as
    such, in UTC, and a note says so; so is a column of a spreadsheet's day numbers only (45079.9601,
    :func:`core.transform.excel_days_format`).
    """
    written = texts.astype(str)
    number_format = unix_time_format(written) or excel_days_format(written)
    if number_format is not None:  # dates written as numbers: Unix times, a spreadsheet's day numbers
        if number_format == EXCEL_DAYS:
            said = ("a spreadsheet's day numbers (45,292 is 1 January 2024: the sheet's dates were formatted as "
                    "numbers): read as dates.")
        else:
            unit = "seconds" if EPOCH_FORMATS[number_format] == "s" else "milliseconds"
            said = f"Unix times ({unit} since 1 January 1970): read as dates and times in UTC."
        return read_dates(written, number_format).astype("datetime64[ns]"), [f"{name!r} holds {said}"]
    texts = without_utc_offset(english_months(texts))  # (a month named in another language: "15. Januar 2024")
    parsed = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    used: list[str] = []
    for _ in range(_MAX_FORMATS):
        todo = parsed.isna().to_numpy()
        if not todo.any():
            break
        fmt = _best_format(texts[todo])
        if fmt is None:
            break
        got = _try(texts[todo], fmt)
        swapped = _swapped(fmt)
        if swapped is not None and got.isna().any():  # a sample of days up to 12 cannot tell d/m from m/d
            other = _try(texts[todo], swapped)
            if int(other.notna().sum()) > int(got.notna().sum()):
                fmt, got = swapped, other
        if not got.notna().any():
            break
        parsed[todo] = got.to_numpy()
        used.append(fmt)
    notes: list[str] = []
    if used:
        ambiguous = _ambiguous(used[0], texts)
        if ambiguous:
            notes.append(ambiguous)
        if len(used) > 1:
            others = ", ".join(_describe_format(f) for f in used[1:4])
            notes.append(f"The dates are written in {len(used)} formats: mostly {_describe_format(used[0])}, "
                         f"some {others}; each was read in its own format.")
    return parsed, notes


def _describe_format(fmt: str) -> str:
    if fmt == "ISO8601":
        return "year-month-day (ISO)"
    words = {"%d": "day", "%m": "month", "%Y": "year", "%y": "year", "%b": "month name", "%B": "month name"}
    date = fmt.split(" %H")[0].split(" %I")[0].split("T%H")[0]
    parts = re.findall(r"%[dmYybB]", date)
    sep = next((c for c in "/.-" if c in date), " ")
    return sep.join(words[p] for p in parts)


def _swapped(fmt: str) -> str | None:
    """The format with day and month the other way round (None when it has no day/month pair)."""
    if fmt[:2] == "%d" and fmt[3:5] == "%m":
        return "%m" + fmt[2] + "%d" + fmt[5:]
    if fmt[:2] == "%m" and fmt[3:5] == "%d":
        return "%d" + fmt[2] + "%m" + fmt[5:]
    return None


def _ambiguous(fmt: str, texts: pd.Series) -> str | None:
    """A note when the chosen day/month order would also read every date the other way round."""
    swapped = _swapped(fmt)
    if swapped is None:
        return None
    sample = texts.sample(_SAMPLE, random_state=0) if len(texts) > _SAMPLE else texts
    if _try(sample, swapped).notna().all() and _try(texts, swapped).notna().all():
        return (f"Every date could be read as {_describe_format(fmt)} or as {_describe_format(swapped)} (no day "
                f"is above 12); they were read as {_describe_format(fmt)}. If that is wrong, every recency is "
                "wrong: check a known order's date in the table.")
    return None


def _line_dates(cells: pd.Series, name: str,
                further: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """Each line's date as int64 nanoseconds, a mask of lines with a date, notes, and each line's code of
    its date text (equal texts, equal codes). The ``further`` items of an order (:func:`_further_items`) have
    no date of their own, and are not counted in the note on lines without one.

    Dates are parsed once per distinct text (exports repeat each order's timestamp on every line)."""
    codes, uniques = pd.factorize(cells, sort=False)
    uniq = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip()
    missing = uniq.str.lower().isin(["", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "nat"])
    parsed = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[ns]")
    notes: list[str] = []
    if (~missing).any():
        got, notes = parse_dates(uniq[~missing], name)
        parsed[~missing] = got
    values = parsed.to_numpy(dtype="datetime64[ns]").view(np.int64)
    ok_unique = ~np.isnat(parsed.to_numpy(dtype="datetime64[ns]"))
    if not ok_unique.any():
        shown = ", ".join(repr(v) for v in uniq[~missing].head(_EXAMPLES).tolist())
        raise OrdersError(f"'{name}' does not hold dates that could be read"
                          + (f" (e.g. {shown})" if shown else " (it is empty)")
                          + ". Dates such as 2024-03-31, 31/03/2024 or 03/31/2024 10:15 are understood; "
                            "name the date column with --date if it is another one.")
    bad_unique = ~ok_unique & ~missing.to_numpy()
    line_ok = ok_unique[codes] if len(codes) else np.zeros(0, dtype=bool)
    line_ok &= codes >= 0
    dates = values[np.maximum(codes, 0)]
    no_date = missing.to_numpy()[codes] | (codes < 0)
    missing_lines = int(np.count_nonzero(no_date & ~further if further is not None else no_date))
    bad_lines = int(np.count_nonzero(bad_unique[codes] & (codes >= 0)))
    if missing_lines:
        notes.append(f"{missing_lines:,} order line{'s have' if missing_lines != 1 else ' has'} no date in "
                     f"'{name}'; left out.")
    if bad_lines:
        shown = ", ".join(repr(v) for v in uniq[bad_unique].head(_EXAMPLES).tolist())
        notes.append(f"{bad_lines:,} order line{'s have' if bad_lines != 1 else ' has'} a date that could not be "
                     f"read in '{name}' (e.g. {shown}); left out.")
    return dates, line_ok, notes, codes


# --- the table -------------------------------------------------------------------------------------

def _parsed(frame: pd.DataFrame, name: str, decimal: str, kept: ColumnNumbers | None) -> tuple[np.ndarray, np.ndarray]:
    """The column's numbers and its cells that are not numbers: as the data check parsed them when ``kept``
    holds them (the same numbers), else parsed here."""
    if kept is not None and kept.belongs_to(frame, decimal):
        _, numbers, invalid = next(kept.columns([frame.columns.get_loc(name)], keep=False))
        return numbers, invalid
    return parse_numeric(frame[name], decimal)


def _examples(cells: pd.Series) -> str:
    """A few different cells of ``cells`` (of its first 50), quoted, for a note."""
    shown = ", ".join(repr(v) for v in dict.fromkeys(cells.head(50).tolist()))
    return ", ".join(shown.split(", ")[:_EXAMPLES])


def _numbers(frame: pd.DataFrame, name: str, decimal: str, role: str,
             kept: ColumnNumbers | None = None, excused: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """The column's numbers, and notes on the lines without one (not counting the ``excused`` ones: an order's further
    items, :func:`_further_items`, which have none of their own, and lines left out for their status)."""
    numbers, invalid = _parsed(frame, name, decimal, kept)
    if np.isnan(numbers).all():
        shown = ", ".join(repr(v) for v in frame[name][invalid].head(_EXAMPLES).tolist())
        raise OrdersError(f"'{name}' (the {role}) holds no numbers" + (f": e.g. {shown}" if shown else ": it is empty")
                          + ". Name the right column with --amount, or --quantity and --price.")
    notes = []
    said = ~excused if excused is not None else np.ones(len(numbers), dtype=bool)
    bad = int(np.count_nonzero(invalid & said))
    if bad:
        notes.append(f"{counted(bad, 'order line')} {'has' if bad == 1 else 'have'} a {role} in '{name}' that is not "
                     f"a number (e.g. {_examples(frame[name][invalid & said])}); left out.")
    empty = int(np.count_nonzero(np.isnan(numbers) & ~invalid & said))
    if empty:
        notes.append(f"{counted(empty, 'order line')} {'has' if empty == 1 else 'have'} no {role} in '{name}'; "
                     "left out.")
    return numbers, notes


#: Names of a column that says what kind of transaction each line is (normalised: Recurly's "type", Shopify's
#: transactions' "Kind").
_KIND_NAMES = frozenset({"type", "transactiontype", "kind", "txntype", "transactionkind", "trantype"})
#: Its values (normalised: lower case, letters only) of money given back, which nets against purchases however
#: written, and of a card check or authorisation, which is no purchase (its capture is).
_REFUND_KINDS = frozenset({"refund", "refunds", "refunded", "return", "returns", "chargeback"})
_CHECK_KINDS = frozenset({"verify", "verification", "cardverification", "authorization", "authorisation", "auth",
                          "preauth", "preauthorization", "preauthorisation"})


def _transaction_kinds(frame: pd.DataFrame, columns: OrderColumns) -> tuple[np.ndarray, np.ndarray, str] | None:
    """The lines a transaction-type column (:data:`_KIND_NAMES`) says are refunds (:data:`_REFUND_KINDS`) and card
    checks (:data:`_CHECK_KINDS`), and its name; None without such a column or values. Found from outside: a Recurly
    transactions export writes a refund as a positive amount of type 'refund', which was added to the customer's
    spending (297 for two purchases of 99, one refunded), and its card checks ('verify') counted as orders."""
    found = _kinds_column(frame, columns, _KIND_NAMES)
    if found is None:
        return None
    name, codes, _, words = found
    refund, check = words.isin(_REFUND_KINDS).to_numpy(), words.isin(_CHECK_KINDS).to_numpy()
    if not (refund.any() or check.any()):
        return None
    return _lines_of(codes, refund), _lines_of(codes, check), name


def _kinds_column(frame: pd.DataFrame, columns: OrderColumns,
                  names: frozenset[str]) -> tuple[str, np.ndarray, pd.Index, pd.Series] | None:
    """The first column no role uses whose normalised name is one of ``names`` (a transaction's or a line's type),
    its lines' codes, its distinct values as written and as words (lower case, letters only); None without one."""
    name = next((str(c) for c in frame.columns if _norm(str(c)) in names and str(c) not in columns.used), None)
    if name is None:
        return None
    codes, kinds = pd.factorize(frame[name].astype(str).str.strip(), sort=False)
    return name, codes, kinds, pd.Series(kinds).str.lower().str.replace(r"[^a-z]", "", regex=True)


def _lines_of(codes: np.ndarray, marked: np.ndarray) -> np.ndarray:
    """The lines whose distinct value (``codes``, -1 for none) is ``marked``."""
    return (codes >= 0) & marked[np.maximum(codes, 0)]


#: Names of a column that tells a sale's own line from its item and payment lines (normalised).
_LINE_KIND_NAMES = frozenset({"linetype", "rowtype", "recordtype", "linekind", "lineitemtype", "entrytype"})
#: Its values that mark a sale's own line, which holds the sale's total (normalised: lower case, letters only).
_SALE_LINE_KINDS = frozenset({"sale", "sales", "order", "invoice", "transaction", "receipt", "header", "ticket"})


def _sale_lines(frame: pd.DataFrame, columns: OrderColumns) -> tuple[np.ndarray, str] | None:
    """The lines to count in a file whose line-type column (:data:`_LINE_KIND_NAMES`) tells each sale's own line
    (:data:`_SALE_LINE_KINDS`, its total in the amount column) from its item and payment lines, and a note; None
    when there is no such column or it marks no such line. Found from outside: a Lightspeed X-Series (Vend) sales
    history's 'Sale' and 'Sale Line' lines were both counted, every customer's spend twice, and its 'Payment' lines
    were said to have no amount."""
    if columns.amount is None:
        return None
    found = _kinds_column(frame, columns, _LINE_KIND_NAMES)
    if found is None:
        return None
    name, codes, kinds, words = found
    sale = words.isin(_SALE_LINE_KINDS).to_numpy()
    if not sale.any() or sale.all():
        return None
    counts = np.bincount(codes[codes >= 0], minlength=len(kinds))
    sales = ", ".join(f"'{kinds[i]}', {counted(int(counts[i]), 'line')}" for i in np.flatnonzero(sale))
    others = ", ".join(f"'{kinds[i]}' {int(counts[i]):,}" for i in np.flatnonzero(~sale))
    return (_lines_of(codes, sale),
            f"'{name}' tells each sale's line ({sales}), whose '{columns.amount}' is the sale's, from its other lines "
            f"({others}): the sales are counted, the other lines left out.")


def _further_items(frame: pd.DataFrame, columns: OrderColumns) -> np.ndarray | None:
    """The lines that are an order's further items, or None when there are none: with an order number, no
    date and no amount, their order's date and total on another line (Shopify's order export writes them on
    the order's first line only). Found from outside: half of such an export's lines were said to be left out
    for want of an amount and a date."""
    if columns.order is None or columns.amount is None:
        return None
    def blank(name: str) -> pd.Series:
        return frame[name].astype(str).str.strip().str.len() == 0
    order = frame[columns.order].astype(str).str.strip()
    no_total, no_date = blank(columns.amount), blank(columns.date)
    candidates = no_total & no_date & (order.str.len() > 0)
    if not candidates.any():
        return None
    heads = pd.unique(order[~no_total & ~no_date])
    further = (candidates & order.isin(heads)).to_numpy(dtype=bool)
    return further if further.any() else None


def _net_of_refunds(frame: pd.DataFrame, name: str, decimal: str, keep: np.ndarray, value: np.ndarray,
                    kept: ColumnNumbers | None, notes: list[str], amount: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The lines' values less the amounts refunded in column ``name`` (written positive or negative; an empty
    cell refunds nothing), on the lines kept, with a note saying how many lines and how much; and which lines a
    refund took to nothing. A refund cell that is not a number refunds nothing, and is said.

    A refund takes a line down to nothing, never below, and one larger than the line's value is said (found from
    outside: a Magento order grid's 'Total Refunded' is the grand total, shipping included, so orders refunded in
    full counted -5.00 against their 'Subtotal'); ``amount``: the amount column's name (None: quantity x price)."""
    refund, invalid = _parsed(frame, name, decimal, kept)
    refunded = keep & np.isfinite(refund) & (refund != 0)
    bad = int(np.count_nonzero(keep & invalid))
    if bad:
        notes.append(f"{counted(bad, 'order line')} {'has' if bad == 1 else 'have'} a refunded amount in '{name}' that "
                     f"is not a number (e.g. {_examples(frame[name][keep & invalid])}); nothing is refunded on "
                     f"{'it' if bad == 1 else 'them'}.")
    if not refunded.any():
        return value, np.zeros(len(value), dtype=bool)
    room = np.maximum(value[refunded], 0.0)
    asked = np.abs(refund[refunded])
    taken = np.minimum(asked, room)
    notes.append(f"{counted(int(refunded.sum()), 'order line')} with an amount refunded in '{name}' net against "
                 f"purchases: {-float(taken.sum()):,.2f} in total.")
    over = int(np.count_nonzero(asked > room + 0.005))
    if over:
        of = f"amount{'' if over == 1 else 's'} in '{amount}'" if amount else "value (quantity x unit price)"
        said = (f"1 order line's refund in '{name}' is more than its {of}" if over == 1 else
                f"{counted(over, 'order line')}' refunds in '{name}' are more than their {of}")
        notes.append(f"{said} (shipping, tax or fees refunded too, perhaps): "
                     f"{'it takes the line' if over == 1 else 'each takes its line'} to 0, no lower.")
    emptied = np.zeros(len(value), dtype=bool)
    emptied[np.flatnonzero(refunded)[(room > 0) & (taken >= room)]] = True
    value = value.copy()
    value[refunded] -= taken
    return value, emptied


def _arrow(values: pd.Series) -> pa.ChunkedArray:
    """A column of text cells as pyarrow strings (no copy when pyarrow holds them already)."""
    to_arrow = getattr(values.array, "__arrow_array__", None)
    found = to_arrow() if to_arrow is not None else pa.array(values.astype(str).to_numpy(dtype=object))
    return found if isinstance(found, pa.ChunkedArray) else pa.chunked_array([found])


def _duplicate_lines(frame: pd.DataFrame, keys: list[np.ndarray | None], among: np.ndarray | None = None) -> int:
    """Lines that repeat an earlier line exactly (every column), among the lines ``among`` marks (default all).

    Only lines whose parsed customer, date, value and order repeat can be such lines: those are found
    from one 64-bit mix of those keys per line (a hash table over integers, not a sort of every column;
    a collision only adds a candidate), and the text of the few candidates is compared in full.
    """
    if not len(frame):
        return 0
    mixed = np.zeros(len(frame), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for key, factor in zip(keys, _MIX):
            if key is None:
                continue
            bits = key.view(np.uint64) if key.dtype == np.float64 else key.astype(np.int64).view(np.uint64)
            mixed = (mixed ^ (bits * factor)) * np.uint64(0x100000001B3)
    candidates = pd.Series(mixed).duplicated(keep=False).to_numpy()
    if among is not None:
        candidates = candidates & among
    if not candidates.any():
        return 0
    return int(frame[candidates].duplicated().sum())


_MIX = tuple(np.uint64(f) for f in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5))


def _scores(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """1-5 by quintile of rank; equal values get equal scores (the lowest rank of their tie)."""
    ranks = pd.Series(values if higher_is_better else -values).rank(method="min").to_numpy()
    n = values.size
    return (1 + np.floor(5 * (ranks - 1) / n)).astype(np.int8)


def _id_name(name: str) -> tuple[str, str | None]:
    if is_id_name(name) and name not in RFM_COLUMNS:  # the data check's rule: never proposed as a feature
        return name, None
    return DEFAULT_ID_NAME, (f"The customer column '{name}' is called '{DEFAULT_ID_NAME}' in the customer table, "
                             "so it is treated as an identifier, never as a number to segment on.")


def build_customers(
    frame: pd.DataFrame,
    columns: OrderColumns | None = None,
    *,
    as_of: str | pd.Timestamp | None = None,
    decimal: str = ".",
    today: pd.Timestamp | None = None,
    numbers: ColumnNumbers | None = None,
    window_months: int | None = None,
    currency: str | None = None,
) -> CustomerTable:
    """Turn order lines (text cells) into one row per customer with RFM values, scores and groups.

    Parameters
    ----------
    frame : pandas.DataFrame
        The order file as read by :func:`core.io.read_table`.
    columns : OrderColumns, optional
        The columns to use (default: :func:`recognise_columns`).
    as_of : str or Timestamp, optional
        The date recency and tenure are measured to (default: the day after the last order). Text is
        read as a date (ISO ``2024-12-31`` is safest).
    decimal : str
        The file's decimal mark.
    today : Timestamp, optional
        The current date (default: the machine's); orders dated after it are refused unless ``as_of``
        is given and on or after them.
    numbers : ColumnNumbers, optional
        The order file's parsed columns (:attr:`core.io.TableRead.numbers`): the amount, quantity and
        price columns the data check parsed are not parsed again (ignored unless they belong to this
        very frame and decimal mark).
    window_months : int, optional
        Count orders and spending over this many months before the as-of date only (:data:`WINDOW_MONTHS`
        bounds it); the columns are then named for the window (``frequency_12m``). Default: every order.
    currency : str, optional
        With a currency column (:attr:`OrderColumns.currency`) whose lines are in several currencies, the one
        counted (``EUR``); the others' lines are left out and said. Default: the currency of the most lines;
        :data:`ALL_CURRENCIES` adds up every line's amount as written, with a note.

    Returns
    -------
    CustomerTable

    Raises
    ------
    OrdersError, FeatureError
        The file cannot be turned into a customer table; the message says why and what to do.
    """
    if window_months is not None and not WINDOW_MONTHS[0] <= int(window_months) <= WINDOW_MONTHS[1]:
        raise OrdersError(f"The window is a number of months from {WINDOW_MONTHS[0]} to {WINDOW_MONTHS[1]}; "
                          f"got {window_months}.")
    columns = columns or recognise_columns(frame)
    file_lines = int(len(frame))
    notes: list[str] = []
    sales = _sale_lines(frame, columns)
    if sales is not None:  # (a till's sales history: each sale's own line, then its items' and payments')
        frame, numbers = frame[sales[0]].reset_index(drop=True), None
        notes.append(sales[1])
    lines = int(len(frame))
    further = _further_items(frame, columns)
    # lines whose status says they are no purchase: left out for that, and said so, not for a missing amount
    out = _status_out(frame[columns.status], columns.status) if columns.status is not None else None
    excused = further if out is None else out if further is None else further | out
    if columns.amount is not None:
        value, found = _numbers(frame, columns.amount, decimal, "amount", numbers, excused)
        notes += found
    else:
        quantity, found = _numbers(frame, columns.quantity, decimal, "quantity", numbers, out)  # type: ignore[arg-type]
        notes += found
        price, found = _numbers(frame, columns.price, decimal, "unit price", numbers, out)  # type: ignore[arg-type]
        notes += found
        value = quantity * price
        del quantity, price  # ten million lines: 160 MB no longer needed
    dates, dated, found, date_codes = _line_dates(frame[columns.date], columns.date, further)
    notes += found
    if further is not None:
        count = int(np.count_nonzero(further))
        notes.append(f"{counted(count, 'line')} {'is a further item' if count == 1 else 'are further items'} of an "
                     f"order whose first line holds its date and total (as Shopify exports orders): "
                     f"{'it counts' if count == 1 else 'they count'} in that order.")

    customer_cells = frame[columns.customer]
    # each distinct id once (a frame of order lines repeats them): codes per line, the missing check per id
    customer_codes, customer_ids = pd.factorize(customer_cells, sort=False)
    held = _guests(customer_cells, (customer_codes, customer_ids))
    guest_line = _guest_lines(customer_codes, customer_ids) if held is not None else np.zeros(lines, dtype=bool)
    blank = missing_mask(pd.Series(customer_ids))[customer_codes] | (customer_codes < 0)
    no_customer = blank | guest_line
    has_value = ~np.isnan(value)
    usable_value = has_value & dated

    cancelled = np.zeros(lines, dtype=bool)
    order_codes: np.ndarray | None = None
    if columns.order is not None:
        order_cells = frame[columns.order]
        cancelled = _cancelled_numbers(order_cells)
        raw_codes, raw_orders = pd.factorize(order_cells, sort=False)  # spaces around a number: the same order
        same = pd.factorize(pd.Series(raw_orders).astype(str).str.strip(), sort=False)[0]
        order_codes = same[raw_codes].astype(np.int64)
    # the later lines of an order whose total each of its lines repeats (before any line is left out and said, so
    # that what is said of them counts each order's total once)
    repeated = np.zeros(lines, dtype=bool)
    written = value  # each line's amount as written
    if order_codes is not None and columns.amount is not None:
        found_totals = _order_totals(value, order_codes, usable_value & ~no_customer)
        if found_totals is not None:
            repeated, orders = found_totals
            value = np.where(repeated, 0.0, value)
            notes.append(f"'{columns.amount}' is the same on every line of each order of several lines "
                         f"({counted(orders, 'order')}): it is the order's total, written on each of its lines, so "
                         "it counts once per order.")
    total = float(np.abs(value[usable_value]).sum()) if usable_value.any() else 0.0
    guests = _guests_note(frame, columns, held, float(np.abs(value[guest_line & usable_value]).sum()) / total
                          if total else 0.0)
    if guests is not None:
        notes.append(guests)
    n_anonymous = int(np.count_nonzero(blank))
    if n_anonymous:
        revenue = float(value[blank & usable_value].sum())
        share = float(np.abs(value[blank & usable_value]).sum()) / total if total else 0.0
        notes.append(f"{counted(n_anonymous, 'order line')} ({n_anonymous / lines:.1%}) {'has' if n_anonymous == 1 else 'have'} "
                     f"no customer id in '{columns.customer}'; left out. They hold {share:.1%} of the value of "
                     f"all lines ({revenue:,.2f}).")
    keep = usable_value & ~no_customer
    if out is not None:
        keep &= ~_not_purchases(frame, columns, out, dated & ~no_customer, keep, value, total, customer_codes, notes)
    kinds = _transaction_kinds(frame, columns)
    typed_refund = np.zeros(lines, dtype=bool)
    if kinds is not None:  # (a billing export's transactions: its refunds written positive, its card checks)
        typed_refund, checks, kind_column = kinds
        left = keep & checks
        if left.any():
            listed = ", ".join(f"'{k}'" for k in pd.unique(frame[kind_column][left].astype(str).str.strip())[:3])
            notes.append(f"{counted(int(left.sum()), 'order line')} of type {listed} in '{kind_column}' "
                         f"{'is' if left.sum() == 1 else 'are'} left out: no purchase (a card check or authorisation, "
                         f"{float(np.nansum(value[left])):,.2f}).")
        keep &= ~checks
        typed_refund &= keep
        if typed_refund.any():
            listed = ", ".join(f"'{k}'" for k in pd.unique(frame[kind_column][typed_refund].astype(str).str.strip())[:3])
            value = np.where(typed_refund, -np.abs(value), value)
            notes.append(f"{counted(int(typed_refund.sum()), 'line')} of type {listed} in '{kind_column}' "
                         f"net{'s' if typed_refund.sum() == 1 else ''} against purchases (written as a positive "
                         f"amount): {float(value[typed_refund].sum()):,.2f} in total.")
    counted_in = None
    if columns.currency is not None:
        other, counted_in = _other_currencies(frame, columns.currency, currency, keep, value, total, customer_codes,
                                              notes)
        keep &= ~other
    if not keep.any():
        raise OrdersError("No order line has a customer, a readable date and an amount together, so no customer "
                          "table can be built." + _left_out(notes))

    value = np.where(cancelled, -np.abs(value), value)
    returns = keep & (value < 0) & ~cancelled & ~typed_refund
    n_cancel_lines = int(np.count_nonzero(keep & cancelled))
    if n_cancel_lines:
        n_cancel_orders = int(pd.unique(order_codes[keep & cancelled]).size)  # type: ignore[index]
        example = str(frame[columns.order][keep & cancelled].iloc[0]).strip()  # type: ignore[index]
        notes.append(f"{counted(n_cancel_lines, 'line')} of {counted(n_cancel_orders, 'cancelled order')} (numbers "
                     f"marked cancelled, e.g. '{example}') net against purchases: "
                     f"{float(value[keep & cancelled].sum()):,.2f} in total.")
    n_returns = int(np.count_nonzero(returns))
    if n_returns:
        notes.append(f"{counted(n_returns, 'return line')} (negative "
                     f"{'amount' if columns.amount else 'quantity or price'}) net against purchases: "
                     f"{float(value[returns].sum()):,.2f} in total.")
    emptied = np.zeros(lines, dtype=bool)  # the lines a refund took to nothing
    if columns.refund is not None:  # (after the returns: a line refunded in full is no return line)
        value, emptied = _net_of_refunds(frame, columns.refund, decimal, keep & ~repeated, value, numbers, notes,
                                         columns.amount)

    # (among the lines kept: an order's further items, left out above, repeat each other's empty cells)
    # (keyed by the amount as written: the same text is the same number, whatever was netted or counted once since)
    duplicates = _duplicate_lines(frame, [customer_codes, date_codes, written, order_codes], among=keep)
    if duplicates:
        notes.append(f"{counted(duplicates, 'order line')} {'repeats' if duplicates == 1 else 'repeat'} an earlier "
                     "line exactly; kept (they may be real repeat purchases; remove them from the export if not).")

    # the customers of the kept lines, numbered 0.. in order of first appearance
    present = np.bincount(customer_codes[keep], minlength=len(customer_ids)) > 0
    renumber = np.cumsum(present) - 1
    codes = renumber[customer_codes[keep]]
    ids = np.asarray(customer_ids, dtype=object)[present]
    n_customers = int(len(ids))
    if n_customers < 2:
        raise OrdersError(f"Every usable order line belongs to one customer ('{ids[0]}'): a customer table needs "
                          f"many customers to segment. Check that '{columns.customer}' is the customer column."
                          + _left_out(notes))
    line_value = value[keep]
    line_date = dates[keep]
    purchase = line_value > 0
    if columns.order is not None:
        purchase &= ~cancelled[keep]

    monetary = np.bincount(codes, weights=line_value, minlength=n_customers)
    p_codes = codes[purchase]
    line_orders = order_codes[keep] if order_codes is not None else None
    frequency = _frequency(codes, purchase, line_orders, n_customers)
    # first and last purchase: unbuffered min/max into one slot per customer (no hash table, no sort)
    first = np.full(n_customers, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n_customers, np.iinfo(np.int64).min, dtype=np.int64)
    p_dates = line_date[purchase]
    np.minimum.at(first, p_codes, p_dates)
    np.maximum.at(last, p_codes, p_dates)
    del p_dates
    bought = frequency > 0
    # customers with no purchase: every order refunded in full (a purchase in the file), or only returns
    refunded_all = ~bought & (np.bincount(codes, weights=emptied[keep], minlength=n_customers) > 0)
    n_refunded_all = int(np.count_nonzero(refunded_all))
    if n_refunded_all:
        shown = ", ".join(repr(str(v)) for v in ids[refunded_all][:_EXAMPLES])
        notes.append(f"{counted(n_refunded_all, 'customer')}'{'s' if n_refunded_all == 1 else ''} every order was "
                     f"refunded in full (e.g. {shown}); left out.")
    # ... or only orders of amount 0 (an event's free tickets: found from outside, said to be returns)
    free_only = ~bought & ~refunded_all & (np.bincount(codes, weights=line_value < 0, minlength=n_customers) == 0)
    n_free = int(np.count_nonzero(free_only))
    if n_free:
        shown = ", ".join(repr(str(v)) for v in ids[free_only][:_EXAMPLES])
        notes.append(f"{counted(n_free, 'customer')} {'has' if n_free == 1 else 'have'} only orders of amount 0 in "
                     f"the file (e.g. {shown}); left out: the table counts purchases.")
    only_returns = int(np.count_nonzero(~bought & ~refunded_all & ~free_only))
    if only_returns:
        shown = ", ".join(repr(str(v)) for v in ids[~bought & ~refunded_all & ~free_only][:_EXAMPLES])
        notes.append(f"{counted(only_returns, 'customer')} {'has' if only_returns == 1 else 'have'} only returns or "
                     f"cancellations in the file (e.g. {shown}; their purchases are before it); left out.")
    if int(np.count_nonzero(bought)) < 2:
        raise OrdersError("Fewer than two customers have a purchase in the file: a customer table needs many "
                          "customers to segment." + _left_out(notes))

    last_order = pd.Timestamp(int(last[bought].max()))
    today = (today if today is not None else pd.Timestamp.now()).normalize()
    if as_of is None:
        if last_order.normalize() > today:
            later = int(np.count_nonzero(line_date > (today + pd.Timedelta(days=1)).value))
            raise OrdersError(
                f"{counted(later, 'order line is', 'order lines are')} dated after today ({today.date()}); the "
                f"last is {last_order.date()}. Check the date column (a wrong year, or day and month swapped), or "
                "give the as-of date to measure recency to (--as-of) if these dates are right.")
        as_of_day = last_order.normalize() + pd.Timedelta(days=1)
    else:
        as_of_day = _as_of(as_of)
        if as_of_day < last_order.normalize():
            raise OrdersError(f"The as-of date {as_of_day.date()} is before the last order in the file "
                              f"({last_order.date()}): recency would be negative. Give a date on or after "
                              f"{last_order.date()}, or leave it out to use the day after the last order.")

    window_note = ""
    spent = monetary  # every order's (the net returners' note)
    if window_months is not None:  # orders and spending in the window only: (as_of - months, as_of)
        start = as_of_day - pd.DateOffset(months=int(window_months))
        inside = line_date >= np.int64(start.value)
        monetary = np.bincount(codes[inside], weights=line_value[inside], minlength=n_customers)
        frequency = _frequency(codes, purchase & inside, line_orders, n_customers)
        idle = int(np.count_nonzero(frequency[bought] == 0))
        window_note = (f"Frequency, monetary value and average order value count the orders of the {window_months} "
                       f"months from {start.date()} to the as-of date only; recency and tenure every order. "
                       f"{counted(idle, 'customer has', 'customers have')} no purchase in those months: frequency "
                       "and average order value 0.")
    day = np.int64(86_400 * 10**9)
    as_of_ns = np.int64(as_of_day.value)
    last_day = last[bought] - np.mod(last[bought], day)
    first_day = first[bought] - np.mod(first[bought], day)
    recency = ((as_of_ns - last_day) // day).astype(np.int64)
    tenure = ((as_of_ns - first_day) // day).astype(np.int64)
    freq = frequency[bought].astype(np.int64)
    money = np.round(monetary[bought], 2)
    # no purchase in the window: an average order value of 0, as frequency is, so that every customer can be
    # segmented (found from outside: left empty, a saved model left the customers who stopped buying unscored)
    aov = np.where(freq > 0, np.round(money / np.maximum(freq, 1), 2), 0.0)
    r = _scores(recency.astype(float), higher_is_better=False)
    f = _scores(freq.astype(float), higher_is_better=True)
    m = _scores(money, higher_is_better=True)
    groups = np.asarray(_GROUP_MAP, dtype=object)[r - 1, f - 1]
    id_name, id_note = _id_name(columns.customer)
    if id_note:
        notes.append(id_note)
    non_positive = int(np.count_nonzero(np.round(spent[bought], 2) <= 0))
    if non_positive:
        whose = "'s" if non_positive == 1 else "'"  # (1 customer's returns, 2 customers' returns)
        notes.append(f"{counted(non_positive, 'customer')}{whose} returns equal or exceed their purchases "
                     "(monetary 0 or less).")
    suffix = f"_{window_months}m" if window_months is not None else ""
    table = pd.DataFrame({
        id_name: pd.array(np.asarray(ids, dtype=object)[bought], dtype="str"),
        "recency_days": recency,
        "frequency" + suffix: freq,
        "monetary" + suffix: money,
        "average_order_value" + suffix: aov,
        "tenure_days": tenure,
        "first_purchase": pd.array(pd.DatetimeIndex(first_day).strftime("%Y-%m-%d"), dtype="str"),
        "last_purchase": pd.array(pd.DatetimeIndex(last_day).strftime("%Y-%m-%d"), dtype="str"),
        "r_score": r,
        "f_score": f,
        "m_score": m,
        "rfm_score": r.astype(np.int16) * 100 + f.astype(np.int16) * 10 + m.astype(np.int16),
        "rfm_group": pd.Categorical(groups, categories=list(RFM_GROUPS)),
    })
    used_lines = int(np.count_nonzero(keep))
    # (a form shows the default in its date field: given back unchanged, it is still the default)
    default = as_of_day == last_order.normalize() + pd.Timedelta(days=1)
    summary = (f"{used_lines:,} of {file_lines:,} order lines -> {len(table):,} customers; as of {as_of_day.date()} "
               f"({'the day after the last order' if default else 'given'}).")
    return CustomerTable(table, columns, as_of_day, id_name, file_lines, used_lines,
                         [summary, *([window_note] if window_note else []), *notes], counted_in, not default)


#: Orders of several lines an amount must be the same on every line of (nineteen in twenty of them at least) to be
#: read as the order's total, written on each of its lines.
_ORDER_TOTAL_MIN_ORDERS = 3
_ORDER_TOTAL_SHARE = 0.95
#: The first lines looked at before all of them: line amounts that differ within orders show there already.
_ORDER_TOTAL_LOOK = 100_000


def _order_totals(value: np.ndarray, order_codes: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, int] | None:
    """The lines to count as nothing when the amount is each order's total written on every one of its lines (Wix
    Stores' item lines: found from outside, an order of three items counted its total three times): among the kept
    lines, the amount is the same on every line of nineteen in twenty orders of several lines
    (:data:`_ORDER_TOTAL_SHARE`, :data:`_ORDER_TOTAL_MIN_ORDERS` such orders at least). Then each such order's lines
    after its first, and how many such orders; else None (line amounts that differ within orders, or too few orders
    of several lines to tell)."""
    lines = np.flatnonzero(keep & np.isfinite(value))
    if lines.size < 2:
        return None
    if lines.size > _ORDER_TOTAL_LOOK and _same_within_orders(order_codes[lines[:_ORDER_TOTAL_LOOK]],
                                                              value[lines[:_ORDER_TOTAL_LOOK]]) is None:
        return None  # (line amounts differ within the first orders already: 0.16 s, not 2.2 s, at 10^7 lines)
    found = _same_within_orders(order_codes[lines], value[lines])
    if found is None:
        return None
    same, later = found
    repeated = np.zeros(len(value), dtype=bool)
    repeated[lines[later & same[order_codes[lines]]]] = True
    return repeated, int(same.sum())


def _same_within_orders(codes: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """For :func:`_order_totals`, the lines ``codes`` (their orders) and ``amounts``: which orders have several lines
    all of one amount, and which lines follow their order's first, when such orders are nineteen in twenty of those
    of several lines (and at least :data:`_ORDER_TOTAL_MIN_ORDERS`), their amounts different from one order to the
    next as totals are (a distinct amount for every four such orders at least) or their lines times a few prices
    (:func:`_priced_per_line`), not a price written on each line; else None."""
    size = int(codes.max()) + 1
    count = np.bincount(codes, minlength=size)
    several = count >= 2
    if int(several.sum()) < _ORDER_TOTAL_MIN_ORDERS:
        return None
    later = pd.Series(codes).duplicated(keep="first").to_numpy()  # a line after its order's first
    first = np.full(size, np.nan)
    first[codes[~later]] = amounts[~later]
    varies = np.bincount(codes[np.abs(amounts - first[codes]) > 0.005], minlength=size) > 0
    same = several & ~varies
    if int(same.sum()) < _ORDER_TOTAL_SHARE * int(several.sum()):
        return None
    # totals differ from order to order, or are an order's lines times a few prices (an Eventbrite order's tickets);
    # a price list does neither (a subscription's boxes at 9.99, two to an order, are two purchases, not one total
    # written twice)
    distinct = int(np.unique(first[same]).size)
    if distinct < 2 or (distinct * 4 < int(same.sum()) and not _priced_per_line(first[same], count[same])):
        return None
    return same, later


def _priced_per_line(totals: np.ndarray, lines: np.ndarray) -> bool:
    """Whether orders' amounts are their numbers of lines times a few prices: fewer distinct amounts per line than
    amounts (an Eventbrite order's total of four tickets at 26.25, 105.00, is 26.25 a line, as a two-ticket order's
    52.50 is), as an order's total is when each of its lines is a ticket at one of a few prices. A price written on
    each line is not (a subscription's boxes at 9.99: 9.99, 4.995 and 3.33 a line for orders of one to three)."""
    return int(np.unique(np.round(totals / lines, 2)).size) < int(np.unique(totals).size)


def _frequency(codes: np.ndarray, purchase: np.ndarray, orders: np.ndarray | None, customers: int) -> np.ndarray:
    """Purchases per customer among the lines ``purchase`` marks (``codes``: each line's customer): distinct
    orders (``orders``: each line's order code), or lines when the file has no order column."""
    p_codes = codes[purchase]
    if orders is None:
        return np.bincount(p_codes, minlength=customers)
    width = int(orders.max()) + 1 if orders.size else 1
    distinct = pd.unique(p_codes.astype(np.int64) * width + orders[purchase])
    return np.bincount((distinct // width).astype(np.int64), minlength=customers)


def net_return_rows(frame: pd.DataFrame, decimal: str = ".", numbers: ColumnNumbers | None = None) -> list[int]:
    """Positions of the customers whose returns equal or exceed their purchases (``monetary`` 0 or less) in a
    customer table built from orders: one with every column of :data:`RFM_COLUMNS`, as
    :meth:`CustomerTable.to_text_frame` gives it or as ``segments rfm`` wrote it (``decimal``: its decimal
    mark; ``numbers``: the columns the data check parsed, not parsed again). None in any other table.

    On spending they sit far from every other customer (a signed log puts a net -27.46 at -3.3, a typical 250 at
    5.5), so a model gives them a segment of their own. Found from outside: in an app's 2,999 customers, 11 such
    made a segment of 0.4% at every k from 3 to 10, and k=2 was unstable (0.65); without them k=2 held (0.94).
    The user chooses to leave them out (:func:`net_returns_text` says why, when :func:`net_returns_apart`); nothing
    is left out unasked.
    """
    if not set(RFM_COLUMNS) <= {str(name) for name in frame.columns}:
        return []
    money, _ = _parsed(frame, "monetary", decimal, numbers)
    return np.flatnonzero(money <= 0).tolist()


def net_returns_apart(transforms: Mapping[str, str]) -> bool:
    """Whether the customers of :func:`net_return_rows` sit apart from the others with the data check's proposed
    ``transforms`` (``{column: transform}``, :attr:`core.QualityReport.proposed_transforms`): a log or a signed log
    of ``monetary`` or ``average_order_value`` (a signed log puts a net -27.46 at -3.3 and a typical 250 at 5.5).
    On a linear scale (spending not skewed) a customer who returned everything is just a low spender: nothing to
    say."""
    return any(transforms.get(column, "none") != "none" for column in ("monetary", "average_order_value"))


def net_returns_left_out(count: int, rows: int) -> str:
    """That ``count`` customers of ``rows`` who returned as much as they bought were left out of the table (the
    command line and the dashboard each say after it how it was asked)."""
    return (f"{count:,} of {rows:,} customers returned as much as they bought or more (monetary 0 or less); "
            "they were left out of the table")


def net_returns_text(count: int, rows: int) -> str:
    """Why ``count`` customers of ``rows`` who returned as much as they bought (:func:`net_return_rows`) matter."""
    return (f"{counted(count, 'customer')} ({percent(count / rows if rows else 0.0)}) returned as much as they bought or more "
            "(monetary 0 or less): on spending they sit far from every other customer, so a model can give "
            "them a segment of their own and split the others less stably. RFM analyses usually leave them out")


def last_order(frame: pd.DataFrame, date_column: str) -> pd.Timestamp | None:
    """The date of the latest order line (None when no date in the column can be read): what the default
    as-of date follows. Parses each distinct date text once."""
    try:
        dates, dated, _, _ = _line_dates(frame[date_column], date_column)
    except OrdersError:
        return None
    return pd.Timestamp(int(dates[dated].max())) if dated.any() else None


def group_crosstab(groups: pd.Series, labels: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Customers per segment (rows, ``names[label]``, in label order) and RFM group (columns, best group
    first); customers without a segment (a negative label) or a group are not counted. Groups no
    customer of the table has are left out."""
    labels = np.asarray(labels)
    keep = (labels >= 0) & groups.notna().to_numpy()
    cells = pd.crosstab(pd.Categorical.from_codes(labels[keep], categories=list(names)),
                        pd.Categorical(groups[keep].astype(str), categories=list(RFM_GROUPS)), dropna=False)
    cells = cells.loc[:, cells.sum(axis=0) > 0]
    cells.index.name, cells.columns.name = "segment", GROUP_COLUMN
    return cells


def _left_out(notes: list[str]) -> str:
    """What was found so far, for an error that ends the build (the lines left out may be the cause)."""
    return (" Found on the way: " + " ".join(notes)) if notes else ""


def _as_of(value: str | pd.Timestamp) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp):
        return value.normalize()
    text = str(value).strip()
    parsed, _ = parse_dates(pd.Series([text]))
    if parsed.isna().all():
        raise OrdersError(f"The as-of date {text!r} is not a date that could be read; write it as 2024-12-31.")
    return pd.Timestamp(parsed.iloc[0]).normalize()

