"""A hand-made dossier for the chronology tests (the clock frozen at 22 November 2026).

Four proceedings of "Mukhtar Ablyazov", created out of their order of opening:

- FR asylum, opened 2 May 2019, pending (created first);
- KZ criminal case no. 170000131000012, opened "2016" (known to the year), pending;
- UA extradition request no. UA-42, opened "November 2016", requested by the KZ case:
  its hearing set for 15 April 2024 was postponed to 18 June 2024 (court busy), then
  to 10 September 2024 (judge ill); a third move to 1 December 2024 was withdrawn; an
  event of November 2016 cites a link; a withdrawn search is left out;
- KZ appeal of the criminal case, opened 10 January 2021, decided 3 March 2021 (its
  judgment cites a court's decision), closed that day.
"""

from __future__ import annotations

from dataclasses import dataclass

import factories
import pytest

from tracker.core import clock
from tracker.delays import scan
from tracker.delays.rules import Thresholds

CLIENT = "Mukhtar Ablyazov"
LINK = "https://example.org/ua/extradition-request"


@dataclass
class Dossier:
    api: factories.Api
    matter: dict
    asylum: dict
    criminal: dict
    request: dict
    appeal: dict
    hearing: dict


@pytest.fixture
def dossier(app, database, frozen_now) -> Dossier:
    factories.jurisdiction(database, "FR", "France", "Europe/Paris")
    factories.jurisdiction(database, "KZ", "Kazakhstan", "Asia/Almaty")
    factories.jurisdiction(database, "UA", "Ukraine", "Europe/Kyiv")
    api = factories.login(app.test_client(), database, "coordinator", "coord@example.org")
    matter = factories.matter(
        api, "Dossier of Mukhtar Ablyazov", subject=CLIENT, summary="Persecuted banker."
    )
    mid = matter["id"]
    asylum = factories.proceeding(
        api, mid, jurisdiction="FR", kind="asylum", title="Asylum of Ablyazov in France",
        client_role="applicant", opened_on="2019-05-02", authority="OFPRA",
    )  # fmt: skip
    criminal = factories.proceeding(
        api, mid, jurisdiction="KZ", kind="criminal_case", title="Criminal case",
        reference="170000131000012", opened_on="2016", authority="Prosecutor General",
    )  # fmt: skip
    request = factories.proceeding(
        api, mid, jurisdiction="UA", kind="extradition_request",
        title="Extradition request from Kazakhstan", reference="UA-42",
        client_role="requested_person", opened_on="2016-11", origin_id=criminal["id"],
    )  # fmt: skip
    appeal = factories.proceeding(
        api, mid, jurisdiction="KZ", kind="appeal", title="Appeal", opened_on="2021-01-10",
        parent_id=criminal["id"], status="decided", closed_on="2021-03-03",
    )  # fmt: skip
    factories.event(
        api, request["id"], "2016-11", kind="request_received",
        summary="Request naming Mukhtar Ablyazov received by the prosecutor", source=LINK,
    )  # fmt: skip
    search = factories.event(
        api, request["id"], "2017-02-01", kind="search", summary="WITHDRAWN-EVENT"
    )
    factories.ok(
        api.post(f"/events/{search['id']}/withdraw", {"version": search["version"], "reason": "x"})
    )
    factories.event(
        api, appeal["id"], "2021-03-03", kind="judgment", summary="Appeal of Ablyazov dismissed",
        source="Almaty City Court, decision no. 5",
    )  # fmt: skip
    hearing = factories.hearing(api, request["id"], "2024-04-15T10:00", title="First hearing")
    factories.postpone(api, hearing["id"], "2024-06-18T10:00", reason="court busy")
    factories.postpone(api, hearing["id"], "2024-09-10T10:00", reason="judge ill")
    moved = factories.postpone(api, hearing["id"], "2024-12-01T10:00", reason="WITHDRAWN-MOVE")
    third = moved["postponements"][-1]
    factories.ok(
        api.post(
            f"/postponements/{third['id']}/withdraw",
            {"version": moved["version"], "reason": "recorded by mistake"},
        )
    )
    with database.unit_of_work() as session:  # the flags the dossier's delays cite
        scan.run(session, clock.now(), clock.today(), Thresholds())
    return Dossier(api, matter, asylum, criminal, request, appeal, hearing)
