"""A synthetic West Midlands-style local authority for trying and measuring the tool: generated
records, the spreadsheets its schools would send, and rates to check against national figures."""
