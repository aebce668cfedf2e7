"""components.ui.table: a long table shows its first rows with a note; the downloads hold every row."""

from streamlit.testing.v1 import AppTest


def long_table():
    import pandas as pd

    from components.context import PageContext
    from components.ui import table

    frame = pd.DataFrame({"customer_id": [f"K{i}" for i in range(25)], "revenue": range(25)})
    table(frame, PageContext("en", None, None), "customers", key="long", max_rows=10)
    table(frame.head(5), PageContext("en", None, None), "short", key="short", max_rows=10)


def test_long_table_shows_its_first_rows_and_says_so():
    at = AppTest.from_function(long_table, default_timeout=60).run()
    assert not at.exception, at.exception
    assert [len(df.value) for df in at.dataframe] == [10, 5]
    assert [c.value for c in at.caption] == ["Showing the first 10 of 25 rows; the downloads contain all of them."]
