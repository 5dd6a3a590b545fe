"""The kinds and states of matters and proceedings (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class ProceedingKind(enum.StrEnum):
    criminal_case = "criminal_case"
    trial = "trial"
    appeal = "appeal"
    cassation = "cassation"
    extradition_request = "extradition_request"
    mla_request = "mla_request"
    civil_complaint = "civil_complaint"
    interpol_notice = "interpol_notice"
    wanted_listing = "wanted_listing"
    asylum = "asylum"
    echr_application = "echr_application"
    administrative = "administrative"
    complaint = "complaint"
    #: a request to the Commission for the Control of INTERPOL's Files
    ccf_request = "ccf_request"
    #: an individual communication to a UN treaty body or special procedure
    un_communication = "un_communication"
    european_arrest_warrant = "european_arrest_warrant"


class ProceedingStatus(enum.StrEnum):
    pending = "pending"
    suspended = "suspended"
    decided = "decided"
    closed = "closed"
    withdrawn = "withdrawn"


class ClientRole(enum.StrEnum):
    accused = "accused"
    requested_person = "requested_person"
    targeted_person = "targeted_person"
    victim = "victim"
    civil_party = "civil_party"
    complainant = "complainant"
    applicant = "applicant"
    respondent = "respondent"
    witness = "witness"
