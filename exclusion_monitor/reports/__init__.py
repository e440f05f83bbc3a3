"""Report data: statistics for dashboards and school reports, printable documents as HTML."""
