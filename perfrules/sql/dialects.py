"""What differs between the SQL engines perfrules compiles to, and nothing else.

Exact arithmetic is the same everywhere (``exact``): values are DECIMALs with a scale
known at compile time, and sums, differences and products of DECIMALs are exact in
DuckDB, PostgreSQL and Spark as long as the declared precision holds the result. What
differs is how an engine divides two whole numbers without leaving the decimals, how it
matches a regular expression, and whether it flattens nested SELECTs:

- **DuckDB** divides two DECIMALs into a DOUBLE, so whole numbers are divided as
  ``HUGEINT // HUGEINT`` (or ``BIGINT``), which truncates toward zero;
- **PostgreSQL** has ``DIV`` on NUMERIC, exact and truncating; it pulls subqueries up into
  their parent, copying every expression, so each layer is fenced with ``OFFSET 0``;
- **Spark** has ``a DIV b`` on DECIMALs, which returns a BIGINT and silently wraps past
  18 digits; past that, ``a - a % b`` (a multiple of ``b``) is divided as DECIMAL, which
  is exact for a whole quotient of up to 32 digits (Spark rounds the quotient of 38-digit
  operands to 6 places while ``spark.sql.decimalOperations.allowPrecisionLoss`` is on,
  its default, which the query needs). Spark also widens products by
  a digit and, past 38, rounds them: sums and products are cast to the type proved for
  them. Its ``$`` matches before a final line break, so patterns end with ``\\z``.

Smaller differences: PostgreSQL passes at most 100 arguments to a function (the error
messages are joined in chunks) and cuts identifiers to 63 bytes (an indicator path of
22 Chinese characters is longer: read its result by position); Spark numbers rows only
in an order (``ROW_NUMBER() OVER (ORDER BY MONOTONICALLY_INCREASING_ID())``).

Every builder returns a sqlglot expression; none formats SQL text.
"""

from __future__ import annotations

import attrs
from sqlglot import exp

__all__ = ["DIALECTS", "Dialect", "get"]


@attrs.frozen
class Dialect:
    """How one engine is spoken: ``name`` is also the sqlglot dialect name."""

    name: str
    text_type: str
    fence: bool  # put OFFSET 0 on each layer so the planner keeps it
    max_quotient_digits: int  # longest whole quotient ``trunc_div`` can return
    end_anchor: str  # what ends a regular expression at the end of the text only
    declares_types: bool  # cast each sum and product to the DECIMAL type proved for it
    max_arguments: int = 1_000_000  # most arguments a function call may have

    def trunc_div(self, left: exp.Expression, right: exp.Expression, digits: int) -> exp.Expression:
        """``left / right`` truncated toward zero, for whole DECIMAL(p, 0) values, ``right`` ≠ 0."""
        if self.name == "duckdb":
            integer = exp.DataType.build("BIGINT" if digits <= 18 else "HUGEINT")
            return exp.IntDiv(this=exp.Cast(this=left, to=integer), expression=exp.Cast(this=right, to=integer.copy()))
        if self.name == "spark" and digits > 18:
            # DIV gives a BIGINT, which wraps past 18 digits. a - a % b is an exact multiple
            # of b (% takes the sign of a, so this is the truncated one), and dividing it as
            # DECIMAL gives the whole quotient exactly: Spark rounds a quotient of 38-digit
            # operands to 6 places, which a whole number does not feel, and keeps 32 digits
            # before the point (max_quotient_digits). Multiplying an approximate quotient
            # back instead could pass 38 digits, which Spark refuses (or makes NULL).
            multiple = exp.Sub(this=exp.Paren(this=left), expression=exp.Mod(
                this=exp.Paren(this=left.copy()), expression=exp.Paren(this=right)))
            return exp.Div(this=exp.Paren(this=multiple), expression=exp.Paren(this=right.copy()))
        return exp.IntDiv(this=left, expression=right)  # postgres DIV(a, b); spark a DIV b

    def matches(self, value: exp.Expression, pattern: str) -> exp.Expression:
        """Whether ``value`` matches the whole of ``pattern`` (written with ``^…$``)."""
        if pattern.endswith("$"):
            pattern = pattern[:-1] + self.end_anchor
        return exp.RegexpLike(this=value, expression=exp.Literal.string(pattern))

    def text(self) -> exp.DataType:
        return exp.DataType.build(self.text_type)

    def row_number(self) -> exp.Expression:
        """The rows numbered from 1 in the order they are read.

        Spark will not number rows without an order: ``monotonically_increasing_id()``
        grows with the partition and the position in it, which is the order of reading.
        """
        if self.name == "spark":
            order = exp.Order(expressions=[exp.Ordered(this=exp.Anonymous(this="MONOTONICALLY_INCREASING_ID"))])
            return exp.Window(this=exp.RowNumber(), order=order)
        return exp.Window(this=exp.RowNumber())

    def join_texts(self, separator: str, parts: list[exp.Expression]) -> exp.Expression:
        """``CONCAT_WS(separator, parts…)``: the parts that are not NULL, joined.

        PostgreSQL passes at most 100 arguments to a function, and a ruleset's error messages
        are more: they are joined in chunks, each chunk NULL when none of its parts is (an
        empty chunk would otherwise leave a doubled separator).
        """
        if len(parts) < self.max_arguments:
            return exp.Anonymous(this="CONCAT_WS", expressions=[exp.Literal.string(separator), *parts])
        size = self.max_arguments - 1
        chunks = [exp.Nullif(this=self.join_texts(separator, parts[i:i + size]), expression=exp.Literal.string(""))
                  for i in range(0, len(parts), size)]
        return self.join_texts(separator, chunks)


DIALECTS = {
    "duckdb": Dialect("duckdb", "VARCHAR", fence=False, max_quotient_digits=38, end_anchor="$",
                      declares_types=False),
    "postgres": Dialect("postgres", "TEXT", fence=True, max_quotient_digits=1000, end_anchor="$",
                        declares_types=False, max_arguments=100),
    "spark": Dialect("spark", "STRING", fence=False, max_quotient_digits=32, end_anchor="\\z",
                     declares_types=True),
}


def get(name: str) -> Dialect:
    """The dialect called ``name`` (duckdb, postgres or spark).

    Raises:
        ValueError: an engine perfrules does not compile to.
    """
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown SQL dialect {name!r}; choose one of {', '.join(DIALECTS)}") from None
