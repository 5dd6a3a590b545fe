"""The longest text each kind of field takes, written once: operations and forms read it here.

A limit keeps one colleague's paste (10,000 characters without a space) from swelling
a row, a page or a mail; the pages wrap or cut whatever fits within it. The operations
refuse one character more with a 422 naming the field (`commands.Limit`), the forms say so
next to the field (`pages.checks` reads the command's limit into WTForms `Length`, which
also writes the input's `maxlength`).

A limit that a bounded column holds (`str200` is `String(200)`, `Hearing.location`
is `String(300)`...) may not exceed that column: tests/test_limits.py checks each pair.
Raising one of those needs a migration; the others are `Text` columns.
"""

from __future__ import annotations

#: the largest id a row can have: ids are INTEGER columns (int4 on PostgreSQL); a larger
#: one in a request is refused or not found before any query runs
MAX_ID = 2**31 - 1

# --- names and titles: one line, shown in lists, headings and the timeline ----------------

#: a matter, proceeding, hearing, deadline or deadline rule
TITLE = 200
#: a person (client, user), an authority, a jurisdiction, a judicial vacation, a feed, a token
NAME = 200
#: a user's email address
EMAIL = 200
#: a matter's number in an NGO's own records: the key an import finds it by (`Matter.key`)
MATTER_NUMBER = 64
#: a proceeding's case number at its authority
REFERENCE = 100
#: where a hearing takes place (court, room, address)
LOCATION = 300

# --- codes: words the tracker matches on ---------------------------------------------------

#: a jurisdiction's code (BE, ECHR, UN_CAT...)
JURISDICTION_CODE = 16
#: a deadline rule's code (BE-CRIM-APPEAL)
RULE_CODE = 64
#: an event's kind, and the kind a deadline rule counts from (request_received)
KIND = 64
#: event kinds that can meet one authority's time limit
MET_BY_KINDS = 20

# --- paragraphs ----------------------------------------------------------------------------

#: where a rule, vacation or event comes from (a statute, a link, a file reference)
SOURCE = 2000
#: why a hearing was postponed
REASON = 5000
#: why a deadline set by hand has its date
EXPLANATION = 5000
#: a matter's summary, an event's, a hearing's outcome (notes in a dossier)
SUMMARY = 20_000
#: what is being done about a delay flag (its acknowledgement)
NOTE = 2000

# --- what people type to find things -------------------------------------------------------

#: words of a title or name in a list's search box
SEARCH = 200
#: an audit action typed in the audit log's filter (the column holds 40)
AUDIT_ACTION = 40
#: a mail's subject, and the outbox filter on it (the column holds 300)
MAIL_SUBJECT = 300

# --- secrets -------------------------------------------------------------------------------

#: a password (hashed: no column to fit; a bound on the work of hashing it)
PASSWORD = 1000
#: the shortest password one may choose
PASSWORD_MIN = 10
#: a security key's answer to the browser (a few hundred bytes; parsed, never stored whole)
KEY_ANSWER = 64 * 1024
#: a code typed at sign-in (an app's 6 digits, a recovery code), blanks and dashes allowed
ONE_TIME_CODE = 40

# --- ranges of days ------------------------------------------------------------------------

#: the most days a printable agenda covers (a week fits a page; a month is the most asked)
AGENDA_DAYS = 31
#: the days an agenda covers unless asked otherwise: today and the six after it
AGENDA_WEEK = 7

# --- documents -----------------------------------------------------------------------------

#: proceedings picked by id for one chronology (a dossier holds a few dozen)
CHRONOLOGY_PROCEEDINGS = 1000

# --- SendGrid's Event Webhook --------------------------------------------------------------

#: seconds a signed batch's timestamp may be from now: an older one is a replay (SendGrid
#: signs each post when it sends it, retries included)
WEBHOOK_REPLAY_WINDOW = 300
#: the longest signature timestamp read: a unix second has 10 digits until the year 2286
WEBHOOK_TIMESTAMP_DIGITS = 12
#: events in one post: SendGrid batches its events, and a batch that fits the body limit
#: holds a few thousand (each event is a few hundred bytes); bounds the ids of one query
WEBHOOK_EVENTS = 10_000
#: SendGrid's id of an event (22 characters today); a longer one is not SendGrid's
SENDGRID_EVENT_ID = 100
#: what a receiving server answered (a bounce's reason, a deferral's response): kept cut
DELIVERY_DETAIL = 1000

# --- court invitations in (.ics) ---------------------------------------------------------

#: the largest invitation or calendar read, in bytes: a court's invitation is a few KB,
#: and the page's upload stays within the request body limit (MAX_CONTENT_LENGTH)
INVITE_BYTES = 512 * 1024
#: events in one calendar: each becomes a hearing, a move or a cancellation at most
INVITE_EVENTS = 500
#: an event's UID, as remembered on its hearing (RFC 5545 sets none; Outlook's are ~100)
INVITE_UID = 255

# --- export and restore --------------------------------------------------------------------

#: rows fetched from the database at a time while exporting (a server-side cursor's batch):
#: what an export holds in memory, whatever the size of the installation
EXPORT_BATCH = 1000
#: rows inserted by one executemany while restoring
RESTORE_BATCH = 1000

# --- spreadsheet import ----------------------------------------------------------------------

#: one file given to `tracker import` or the import page (CSV or XLSX)
IMPORT_BYTES = 20 * 1024 * 1024
#: what an XLSX (a zip) may unpack to: a small file can hold a decompression bomb
IMPORT_UNPACKED_BYTES = 200 * 1024 * 1024
#: rows of one import, all files together
IMPORT_ROWS = 100_000
#: problems listed in a report: past these the count alone is given
IMPORT_PROBLEMS = 500
