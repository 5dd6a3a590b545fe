"""tracker: proceedings, hearings and deadlines across jurisdictions."""
