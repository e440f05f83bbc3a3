"""Checking and normalising each data row of a file into a clean record, or a reason to reject it.

Every row is accounted for: a record to load (one of `exclusion_monitor.store.intake_rows`'
records) or a rejection with its row number and a plain reason; problems that do not stop a row
are warnings. Each kind declares its fields once (census.py, exclusions.py, enrolments.py,
register.py); checker.py checks a run of rows against the declaration.
"""
