"""An independent check: the E-ARK reference validator on the samples' packages.

eark-validator 1.1 gets some CSIP/SIP rules wrong (README, "Packages for the archive");
those findings are expected, and nothing else may be an error or a warning.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import LEGACY, ROOT, SCANNED

from pipeline import api

# The validator's own faults: the rule ids it reports although the package follows CSIP
# 2.1 and the E-ARK SIP profile, each with why (the README says the same).
VALIDATOR_FAULTS = {
    "CSIP12": "demands TYPE OTHER of every CREATOR agent, also the submitting organisation "
              "that the SIP profile asks for (TYPE ORGANIZATION)",
    "CSIP13": "the same for OTHERTYPE SOFTWARE",
    "CSIP16": "the same for a SOFTWARE VERSION note",
    "SIP14": "looks for NOTETYPE without its csip: namespace, on every CREATOR agent",
    "CSIP63": "its test fails every file group without OTHERCONTENTINFORMATIONTYPE, which "
              "CSIP asks for only where CONTENTINFORMATIONTYPE is OTHER",
    "CSIP103": "wants one Representations division with the representations under it; "
               "CSIP105 and CSIP107 put a Representations/<name> division under the package",
}
FOLLOWING_FROM_FAULTS = {"CSIP101", "CSIP105"}  # warnings from the same test as CSIP103
FIXED = {"CSIP60", "CSIP93", "CSIP95", "CSIP31", "CSIP91", "CSIP8", "CSIPSTR6",
         "CSIPSTR13", "CSIPSTR16"}  # what the packages lacked before PREMIS and documentation


def _validate(*packages) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "eark_offline.py"),
                           *map(str, packages)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_reference_validator_finds_nothing_but_its_own_faults(package_run):
    packages = [package_run.packages / SCANNED.stem, package_run.packages / LEGACY.stem]
    reports = _validate(*packages)
    assert len(reports) == 2
    for package, report in reports.items():
        assert report["structure"] == "WellFormed", package
        assert report["schema"] == "VALID", package
        rules = {(rule, severity) for rule, severity, _ in report["findings"]}
        errors = {rule for rule, severity in rules if severity == "Error"}
        warnings = {rule for rule, severity in rules if severity == "Warn"}
        assert errors <= VALIDATOR_FAULTS.keys(), (package, report["findings"])
        assert warnings <= FOLLOWING_FROM_FAULTS, (package, report["findings"])
        assert not FIXED & {rule for rule, _ in rules}
        assert {"SIP1", "SIP3"} <= {rule for rule, _ in rules}  # its rules did run


def test_the_validator_sees_what_the_packages_lacked_before(package_run, tmp_path):
    """The same check fails a package without its documentation and PREMIS references,
    so the test above can fail."""
    package = tmp_path / "stripped"
    api.export(package_run.out / SCANNED.stem, tmp_path, package_run.options())
    (tmp_path / SCANNED.stem).rename(package)
    mets = package / "METS.xml"
    text = mets.read_text(encoding="utf-8")
    for label in ('USE="Documentation"', 'LABEL="Documentation"'):
        text = text.replace(label, label.replace("Documentation", "Other"))
    mets.write_text(text, encoding="utf-8")
    (report,) = _validate(package).values()
    errors = {rule for rule, severity, _ in report["findings"] if severity == "Error"}
    assert {"CSIP60", "CSIP95"} <= errors
