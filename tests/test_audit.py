"""`catalog check`: every printed total that disagrees, every decision, and integrity errors."""

from dataclasses import replace

from hue_dx import audit
from hue_dx.catalog import Input

EXPECTED_TOTAL_FINDINGS = {"1", "2", "2.2", "3", "3.1", "4", "5", "6"}


def test_every_printed_total_that_disagrees_is_reported_with_its_decision(catalog):
    findings = audit.audit(catalog)
    totals = {f.code: f for f in findings if f.topic == "điểm tối đa" and f.message.startswith("Kế hoạch")}
    assert set(totals) == EXPECTED_TOTAL_FINDINGS
    assert all(f.severity == audit.DECIDED and f.decision for f in totals.values())
    assert "in 70 điểm" in totals["3.1"].message and "cộng lại 6" in totals["3.1"].message
    assert not audit.has_errors(findings)


def test_every_recorded_decision_is_reported_with_its_criterion_code(catalog):
    findings = audit.audit(catalog)
    reported = {(f.code, f.decision) for f in findings}
    for d in catalog.decisions:
        assert (d.code, d.text) in reported
    # the defects named in the domain notes each have a decision
    for code in ("3.1.1", "3.2.3", "7.2.3", "2.4.4", "5.13.1", "5.13.2", "4.2.8", "5.13.3", "5.8.1", "5.9.1"):
        assert any(f.code == code for f in findings), code


def _with_criterion(catalog, code, **changes):
    criteria = tuple(replace(c, **changes) if c.code == code else c for c in catalog.criteria)
    return replace(catalog, criteria=criteria)


def test_a_mismatch_without_decision_is_an_error(catalog):
    groups = tuple(replace(g, decision=None) if g.code == "3.1" else g for g in catalog.groups)
    findings = audit.audit(replace(catalog, groups=groups))
    assert any(f.code == "3.1" and f.severity == audit.ERROR for f in findings)
    assert audit.has_errors(findings)


def test_an_unused_or_undeclared_input_is_an_error(catalog):
    c = catalog.criterion("5.1.1")
    extra = _with_criterion(catalog, "5.1.1", inputs=c.inputs + (Input("z", "Số thừa", "count"),))
    assert any("z được khai báo nhưng quy tắc không dùng" in f.message for f in audit.audit(extra))
    fewer = _with_criterion(catalog, "5.1.1", inputs=c.inputs[:1])
    assert any("quy tắc dùng số liệu b nhưng không khai báo" in f.message for f in audit.audit(fewer))


def test_duplicate_codes_empty_labels_and_wrong_types_are_errors(catalog):
    c = catalog.criterion("5.1.1")
    dup = replace(catalog, criteria=catalog.criteria + (c,))
    assert any(f.message == "mã bị trùng" for f in audit.audit(dup))
    blank = _with_criterion(catalog, "5.1.1", inputs=(Input("a", "", "count"), c.inputs[1]))
    assert any("thiếu nhãn" in f.message for f in audit.audit(blank))
    wrong = _with_criterion(catalog, "5.1.1", inputs=(Input("a", "x", "yesno"), c.inputs[1]))
    assert any("không dùng được cho quy tắc proportional" in f.message for f in audit.audit(wrong))


def test_bad_rule_parameters_are_errors(catalog):
    c = catalog.criterion("5.7.1")
    broken = _with_criterion(catalog, "5.7.1", params={**c.params, "target": 0})
    assert any("target phải lớn hơn 0" in f.message for f in audit.audit(broken))
    choice = catalog.criterion("1.2.1")
    options = [{"label": "A, B", "fraction": "1"}, {"label": "C", "fraction": "2"}]
    broken = _with_criterion(catalog, "1.2.1", params={"options": options})
    messages = " ".join(f.message for f in audit.audit(broken))
    assert "dấu phẩy" in messages and "[0; 1]" in messages
    assert choice.params["options"]  # the shipped one is fine
