"""A delivery report explained: groups by status and code, failures first, any shape survives."""
from hypothesis import given, settings
from hypothesis import strategies as st

from smsnb.card import report

REPORT = {"type": "delivery_report_sms", "batch_id": "B", "total_message_count": 1003, "statuses": [
    {"code": 0, "status": "Delivered", "count": 1000, "recipients": [f"4670{i:07d}" for i in range(1000)]},
    {"code": 405, "status": "Aborted", "count": 2, "recipients": ["46700000001", "46700000002"]},
    {"code": 88, "status": "Rejected", "count": 1, "recipients": ["46700000003"]},
]}


def test_groups_put_failures_first_and_explain_them():
    found = report.groups(REPORT)
    assert [(g.status, g.code) for g in found] == [("Aborted", 405), ("Rejected", 88), ("Delivered", 0)]
    assert report.is_final(found) and found[0].failed and not found[2].failed
    text = report.report_text(found)
    assert "Aborted 405 (Unmatched parameter): 2 messages to +46700000001, +46700000002" in text
    assert "Fields to change: parameters, body" in text
    assert "Rejected 88 (Carrier code 88)" in text
    assert "Delivered 0 (Delivered): 1000 messages to +46700000000, +46700000001" in text
    assert "and 995 more" in text
    assert text.count("\n") < 20  # a thousand recipients are a few lines, not a thousand


def test_a_queued_batch_is_not_final():
    found = report.groups({"statuses": [{"code": 400, "status": "Queued", "count": 3}]})
    assert not report.is_final(found) and not found[0].failed
    assert report.report_text([]) == "No delivery report entries yet."


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                max_size=4), max_leaves=20))
def test_any_shape_gives_groups_and_text(value):
    for shaped in (value, {"statuses": value}, {"statuses": [value]}):
        found = report.groups(shaped)
        assert isinstance(report.report_text(found), str) and str(report.report_html(found))
