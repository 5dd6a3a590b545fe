"""The dashboard: what needs attention across every matter."""
