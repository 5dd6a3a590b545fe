"""The web layer below the domains: the request's unit of work, the JSON API's and the
pages' toolkits (`api`, `pages`), how values read on a page (`display`), and the one
registry (`registry`) that wires every domain's endpoints and pages into the app.

Domain packages import the toolkits; only the registry imports a domain's entry points.
"""

from tracker.web.context import EXTENSION, close_session, database, refuse_nul, session, settings

__all__ = ["EXTENSION", "close_session", "database", "refuse_nul", "session", "settings"]
