"""The reporting agent's own e-mail address and phone number are not a customer's personal data."""
from __future__ import annotations

from types import SimpleNamespace

from capture_app.core.privacy import pii


def test_own_contact_data_is_recognised_in_any_spelling_and_only_that():
    reporter = SimpleNamespace(email="Petra.Support@example-bank.de", phone="+49 30 1234567")
    text = ("Rückruf: 030 1234567, 0049 (0)30 1234567 oder +49 30 1234567; "
            "petra.support@EXAMPLE-bank.de; Kundin: 030 7654321, kundin@example.org")
    findings = pii.findings_in(text, "field:description.what")
    customer = pii.customer_findings(findings, reporter)
    assert [f.match.text for f in customer] == ["030 7654321", "kundin@example.org"]
    assert len(findings) == 6


def test_without_own_contact_data_every_finding_stays():
    findings = pii.findings_in("kundin@example.org, 0151 23456789", "field:description.what")
    assert pii.customer_findings(findings, SimpleNamespace(email="", phone="")) == findings
    assert pii.customer_findings(findings, None) == findings
